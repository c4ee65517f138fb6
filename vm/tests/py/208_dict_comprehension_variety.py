words = ["apple", "bob", "cat", "apple", "dog", "bob"]
counts = {}
for w in words:
    counts[w] = counts.get(w, 0) + 1
inv = {v: k for k, v in counts.items()}
lens = {w: len(w) for w in words if len(w) > 2}
pairs = {(i, j): i * j for i in range(3) for j in range(i)}
nested = {k: {c: i for i, c in enumerate(k)} for k in ["ab", "ba"]}
sq = {x for x in range(-3, 4) if x % 2}
print(counts, inv, lens, sorted(pairs.items()), nested, sorted(sq))
final_return_value = [counts, [[k, v] for k, v in inv.items()], lens, [list(k) + [v] for k, v in pairs.items()], nested]
