tests = [
    lambda: int("abc"),
    lambda: float("x"),
    lambda: [1, 2].index(5),
    lambda: {"a": 1}["b"],
    lambda: (1, 2)[5],
    lambda: "abc".index("z"),
    lambda: None + 1,
    lambda: len(5),
    lambda: sum(["a", "b"]),
    lambda: max([]),
    lambda: chr(-1),
    lambda: [].pop(),
    lambda: {}.popitem(),
    lambda: set().pop(),
    lambda: "a" * "b",
    lambda: 1 / 0,
    lambda: 1 % 0,
    lambda: int(None),
    lambda: sorted([1, "a"]),
    lambda: [1][1.0],
    lambda: {[1]: 2},
    lambda: "x".foo(),
]
for t in tests:
    try:
        t()
        print("no error")
    except Exception as e:
        print(type(e) == TypeError, type(e) == ValueError, type(e) == KeyError, type(e) == IndexError, type(e) == ZeroDivisionError, type(e) == AttributeError)
final_return_value = len(tests)
