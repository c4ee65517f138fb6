class NotFound(LookupError):
    pass
def find(d, k):
    if k not in d:
        raise NotFound(f"no {k}")
    return d[k]
out = []
for k in ["a", "z"]:
    try:
        out.append(find({"a": 1}, k))
    except LookupError as e:
        out.append(str(e))
print(out)
errors = [ZeroDivisionError, OverflowError, KeyError, IndexError, UnboundLocalError, RecursionError]
for E in errors:
    try:
        raise E("m")
    except ArithmeticError:
        print("arith")
    except LookupError:
        print("lookup")
    except NameError:
        print("name")
    except RuntimeError:
        print("runtime")
try:
    raise NotFound("x")
except (KeyError, NotFound) as e:
    print("tuple match", isinstance(e, LookupError), isinstance(e, NotFound))
final_return_value = out
