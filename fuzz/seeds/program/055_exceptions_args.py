def check(d):
    errors = []
    for key in ["a", "b", "c"]:
        try:
            v = d[key]
            if not isinstance(v, int):
                raise TypeError(f"{key} must be int, got {type(v) == str}")
            if v < 0:
                raise ValueError(key, v)
        except KeyError as e:
            errors.append(("missing", str(e)))
        except (TypeError, ValueError) as e:
            errors.append((type(e) == ValueError, e.args))
    return errors
print(check({"a": 1, "b": "x", "c": -1}))
print(check({}))
try:
    raise Exception()
except Exception as e:
    print(repr(e), e.args, str(e) == "")
try:
    x = 1 / 0
except ArithmeticError as e:
    print("arith:", e)
final_return_value = check({"a": -5})
