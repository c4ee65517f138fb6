class AppError(Exception):
    pass
class DbError(AppError):
    pass
class NotFound(DbError):
    pass
def handle(exc):
    try:
        raise exc
    except NotFound as e:
        return "NotFound " + str(e)
    except DbError as e:
        return "DbError " + str(e)
    except AppError:
        return "AppError"
    except (KeyError, IndexError) as e:
        return "Lookup " + repr(e)
    except ArithmeticError as e:
        return "Arith " + str(e)
    except Exception as e:
        return "Other " + str(e)
for e in [NotFound("n"), DbError("d"), AppError("a"), KeyError("k"), IndexError(1), ZeroDivisionError("z"), OverflowError("o"), RuntimeError("r"), RecursionError("rr"), NotImplementedError("ni"), UnboundLocalError("u")]:
    print(handle(e))
print(isinstance(NotFound(), AppError), isinstance(KeyError(), LookupError), isinstance(RecursionError(), RuntimeError), isinstance(UnboundLocalError(), NameError))
final_return_value = handle(NotFound("x"))
