s = "héllo wörld ✓"
out = [len(s), s.upper(), s[1], s[-1], [c for c in s if c not in "aeiou "], s.encode if False else "",
       ord("é"), chr(10003), "ß".upper(), "İ".lower() if False else "", s.replace("ö", "o"),
       sorted("cba"), "".join(sorted(set("mississippi"))), list(reversed("abc")), "abc"[::-1],
       "a-b_c d".split("-"), max("hello"), "é" < "z", "Z" < "a", s.title(), s.find("✓")]
print(out)
final_return_value = out
