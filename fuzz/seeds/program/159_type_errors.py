cases = [lambda: 1 + "a", lambda: "a" * "b", lambda: [1] + (2,), lambda: len(5), lambda: None(), lambda: {[]: 1}, lambda: 1 < "x", lambda: -"s", lambda: "abc"[1.0], lambda: int(None), lambda: sorted([None, 1])]
for c in cases:
    try:
        c()
        print("no error")
    except TypeError:
        print("TypeError")
for c in [lambda: int("x"), lambda: [].pop(), lambda: {}["k"], lambda: (1, 2)[5], lambda: "x".index("y"), lambda: 1 / 0, lambda: 5 % 0]:
    try:
        c()
    except (ValueError, LookupError, ArithmeticError) as e:
        print(type(e) == ValueError, isinstance(e, LookupError), isinstance(e, ArithmeticError))
final_return_value = len(cases)
