def classify(n):
    return "neg" if n < 0 else "zero" if n == 0 else "small" if n < 10 else "big"
print([classify(n) for n in [-5, 0, 3, 42]])
x = None
print(x or "default", 0 or "", [] or None, "a" and "b", 0 and 1/0, 1 or 1/0)
print((y := 10) * 2, y, [z for v in range(5) if (z := v * v) > 5])
vals = [3, None, 0, "", "x"]
print([v for v in vals if v is not None], [v or "-" for v in vals])
print(not None, not 0.0, not "a", True + (False or 2), None == 0, None is None)
final_return_value = [classify(-1), classify(100)]
