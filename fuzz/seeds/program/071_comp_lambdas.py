cols = ["b", "a"]
rows = [{"a": 2, "b": 1}, {"a": 1, "b": 3}]
by_col = [[r["a"] for r in sorted(rows, key=lambda r: r[c])] for c in cols]
print(by_col)
fs = [(lambda v, k=k: v * k) for k in range(3)]
print([f(10) for f in fs])
final_return_value = by_col
