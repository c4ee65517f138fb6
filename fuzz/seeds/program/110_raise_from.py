class AppError(Exception):
    pass
def parse(s):
    try:
        return int(s)
    except ValueError as e:
        raise AppError("bad input: " + s) from e
try:
    parse("x")
except AppError as e:
    print(isinstance(e, AppError), e, e.args)
try:
    raise KeyError("k") from None
except KeyError as e:
    print(repr(e), e.args, str(e))
try:
    try:
        1 / 0
    except ZeroDivisionError:
        raise RuntimeError("wrapped")
except RuntimeError as e:
    print("RuntimeError", e)
e1 = ValueError("a", 2)
print(e1.args, str(e1), repr(e1), str(ValueError()), repr(ValueError()), str(ValueError(5)))
final_return_value = list(e1.args)
