print(any([]), all([]), any([0, "", None]), all([1, "a", [0]]), any(x > 3 for x in range(5)))
print(all(c.isdigit() for c in "123"), all(c.isdigit() for c in "12a"))
print(sum([]), sum([1.5, 2.5]), sum([1, 2], 10), sum([[1], [2]], []), sum(range(101)))
print(len([]), len("abc"), len({"a": 1}), len(range(0, 10, 3)), len((1, 2)), len({1, 2, 2}))
print(list(range(5, 0, -2)), list(range(-3)), range(10)[2], range(1, 10, 2)[-1], 3 in range(0, 10, 3))
print(isinstance(1, int), isinstance(True, int), isinstance(1.0, (int, float)), isinstance("s", str), isinstance([], tuple))
print(type(1) == int, type("a") is str, type([]) == list, type(None), type(len), type(lambda: 0))
final_return_value = [any([0]), all([1]), sum([0.5] * 10), sum([0.25, 1, True])]
