s = "héllo wörld"
print(len(s), s[1], s[-1], s[::-1], s.upper(), s.title(), s.find("ö"), s.index("w"), list(s[:3]))
counts = {}
for ch in s:
    if ch.isalpha():
        counts[ch] = counts.get(ch, 0) + 1
print(counts, max(counts, key=counts.get), "".join(sorted(set(s))))
print(ord("é"), chr(246), "é" < "z", sorted(["b", "A", "a", "B"]), "straße".upper(), "ǅ".lower())
words = "one two  three".split(" ")
print(words, [w for w in words if w], " ".join(w[::-1] for w in "ab cd".split()))
final_return_value = counts
