grid = [[(r, c) for c in range(4) if (r + c) % 2 == 0] for r in range(3)]
print(grid)
coords = {(r, c): r * c for r in range(3) for c in range(3) if r != c}
print(coords)
print([[y for y in row if y > 1] for row in [[1, 2, 3], [0, 5]]])
words = ["alpha", "beta", "gamma", "delta"]
print({w: {c for c in w if c in "aeiou"} == {"a"} for w in words})
print([(w, i) for i, w in enumerate(words) if len(w) == 5 if w[0] != "d"])
final_return_value = [sum(x for x in range(n)) for n in range(6)]
