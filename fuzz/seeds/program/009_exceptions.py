def risky(x):
    if x < 0:
        raise ValueError("negative: " + str(x))
    return 10 / x

results = []
for v in [2, 0, -1]:
    try:
        results.append(risky(v))
    except ZeroDivisionError as e:
        results.append("zero: " + str(e))
    except (ValueError, TypeError) as e:
        results.append("value: " + str(e))
    else:
        results.append("ok")
    finally:
        results.append("finally")
print(results)
try:
    {}["missing"]
except KeyError as e:
    print("KeyError", e, e.args)
try:
    [1][5]
except LookupError as e:
    print(type(e) == IndexError, e)
class AppError(Exception):
    pass
class SubError(AppError):
    pass
try:
    raise SubError("sub")
except AppError as e:
    print("caught", repr(e), isinstance(e, Exception))
def f():
    try:
        return "try"
    finally:
        print("cleanup")
print(f())
try:
    try:
        int("x")
    except ValueError:
        raise
except ValueError as e:
    print("reraised", e)
try:
    assert 1 == 2, "math"
except AssertionError as e:
    print("assert", e)
final_return_value = len(results)
