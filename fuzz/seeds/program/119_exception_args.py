class MyError(ValueError):
    pass
errs = [ValueError(), ValueError("msg"), ValueError("a", 1), KeyError("key"), KeyError(), MyError("mine"), IndexError(3), Exception(None)]
for e in errs:
    print(repr(e), "|", str(e), "|", e.args, len(e.args))
try:
    {}["missing"]
except KeyError as e:
    print(str(e), e.args)
try:
    [][5]
except IndexError as e:
    print(str(e), e.args)
try:
    raise MyError("x", "y")
except ValueError as e:
    print(isinstance(e, MyError), isinstance(e, Exception), e.args, str(e))
try:
    raise MyError
except MyError as e:
    print(e.args, repr(e))
final_return_value = [list(e.args) for e in errs]
