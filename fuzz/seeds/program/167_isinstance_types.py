vals = [1, 1.0, True, "s", None, [1], (1,), {"a": 1}, {1}, range(2)]
for v in vals:
    print(type(v), isinstance(v, int), isinstance(v, (list, tuple)), isinstance(v, (dict, set)))
print(type(1) is int, type(True) is bool, isinstance(True, bool), type(1.0) == float, str(type("x")))
print(int, str, list, bool, type(int))
final_return_value = [isinstance(v, (int, float)) for v in vals]
