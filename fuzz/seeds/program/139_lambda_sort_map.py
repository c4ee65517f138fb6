data = [{"name": "b", "score": 3.5}, {"name": "a", "score": 9.0}, {"name": "c", "score": 3.5}]
ranked = sorted(data, key=lambda r: (-r["score"], r["name"]))
print([r["name"] for r in ranked])
print(list(map(lambda r: r["score"] * 2, data)), list(filter(lambda r: r["score"] < 5, data)))
compose = lambda f, g: lambda x: f(g(x))
inc_then_double = compose(lambda x: x * 2, lambda x: x + 1)
print(inc_then_double(3), (lambda *a, **k: (a, k))(1, z=2), (lambda x=5: x)())
table = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b}
print([table[op](6, 3) for op in "+-*"])
final_return_value = [r["name"] for r in ranked]
