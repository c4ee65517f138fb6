s = "Python"
print(s + "3", s * 2, "th" in s, "TH" not in s, s < "python", s == "Python", len(s))
print(min(s), max(s), sorted(s), list(s), s.count("o"), ord(s[0]), chr(ord(s[0]) + 1))
acc = ""
for ch in s:
    acc = ch + acc
print(acc, "".join(sorted(set(s.lower()))), s.replace("P", "J").replace("on", "er"))
print("a,b".replace(",", ""), "aaaa".replace("a", "b", 2), "abc".replace("", "-"))
print("{:>3}".format(1), str(1).rjust(3, "0"), "x".center(4, "*"), "%-4s|" % "ab")
final_return_value = [c for c in s if c.lower() in "aeiou"]
