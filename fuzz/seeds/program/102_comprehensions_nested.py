m = [[i * j for j in range(1, 4)] for i in range(1, 4)]
print(m)
flat = [x for row in m for x in row if x % 2 == 0]
print(flat)
pairs = [(a, b) for a in range(3) for b in range(a) if a != b]
print(pairs)
print([[row[i] for row in m] for i in range(3)])
sq = {k: k * k for k in range(5) if k}
print(sq)
inv = {v: k for k, v in sq.items()}
print(inv)
lens = {len(w) for w in ["a", "bb", "cc", "ddd"]}
print(sorted(lens))
print({c: [w for w in ["apple", "avocado", "banana"] if w[0] == c] for c in "ab"})
print([x if x > 2 else -x for x in range(5)], [y for x in [[1], [2, 3]] for y in x])
total = sum(x * x for x in range(10))
print(total, max(len(w) for w in ["x", "yyy"]), list(c.upper() for c in "ab"))
final_return_value = {str(k): v for k, v in sq.items()}
