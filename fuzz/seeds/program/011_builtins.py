print(int("42"), int(" -7 "), int(3.9), int(-3.9), int("ff", 16), int("0b101", 0), float("1.5"), float(" 2 "), float(3))
print(str(1.0), str(None), str([1, "a"]), repr("it's"), repr('say "hi"'), repr("tab\t"), bool(""), bool([0]))
print(chr(65), ord("a"), len("héllo"), list(enumerate("ab")), list(enumerate("ab", 1)), list(zip("ab", [1, 2, 3])))
print(list(reversed([1, 2, 3])), sorted({3: 1, 1: 2}), isinstance(True, int), isinstance(1, (str, float)), type(1) == int)
print(type("s") is str, type([]) == list, isinstance({}, dict), format(3.14159, ".3f"), format(42, "08b"))
print(max(3, 7, 5), min([4, 2], [4, 1]), sum([0.5, 0.25]), sum([[1], [2]], []), abs(-0.0))
print(round(3.14159, 3), round(-2.5), round(7), 10 ** 18, -2 ** 2, (-2) ** 2, 2 ** 0.5)
print(any([]), all([]), list(map(lambda a, b: a + b, [1, 2], [10, 20])), list(filter(None, [0, 1, "", "x"])))
final_return_value = [int("12") + 1, float("nan") != float("nan")]
