def kind(f):
    try:
        f()
    except ZeroDivisionError:
        return "zero"
    except OverflowError:
        return "overflow"
    except ArithmeticError:
        return "arith"
    except KeyError:
        return "key"
    except IndexError:
        return "index"
    except LookupError:
        return "lookup"
    except ValueError:
        return "value"
    except TypeError:
        return "type"
    except Exception:
        return "other"
    return "none"
print([kind(f) for f in [lambda: 1 // 0, lambda: {}[1], lambda: [][0], lambda: int("q"), lambda: 1 + "a", lambda: None, lambda: 1.0 / 0]])
final_return_value = kind(lambda: [1].index(2))
