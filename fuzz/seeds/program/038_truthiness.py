vals = [0, 1, -1, 0.0, 0.5, "", "a", [], [0], {}, {"a": 1}, set(), (), (0,), None, True, False, range(0), range(1)]
print([bool(v) for v in vals])
print([v for v in vals if v])
print(0 or [] or "x", 1 and 2 and 3, None and 1, "" or None, not [], not not "a")
x = []
y = x or ["default"]
print(y, x is y, (x or None) is None)
final_return_value = [bool(v) for v in vals]
