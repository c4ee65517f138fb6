class AppError(Exception):
    pass

class NotFound(AppError):
    pass

class BadInput(ValueError):
    pass

def lookup(k):
    if k == "missing":
        raise NotFound("no " + k)
    if k == "":
        raise BadInput("empty key")
    return k.upper()

out = []
for k in ["a", "missing", "", "b"]:
    try:
        out.append(lookup(k))
    except AppError as e:
        out.append(["app", type(e) is NotFound, str(e), e.args])
    except ValueError as e:
        out.append(["value", isinstance(e, BadInput), str(e)])
    else:
        out.append("ok")
    finally:
        out.append("|")
e = NotFound("x", 2)
out.append([str(e), repr(e), isinstance(e, AppError), isinstance(e, Exception), isinstance(e, ValueError)])
print(out)
final_return_value = out
