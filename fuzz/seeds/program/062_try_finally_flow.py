def f(xs):
    out = []
    for x in xs:
        try:
            if x == 0:
                continue
            if x < 0:
                break
            out.append(10 // x)
        except ZeroDivisionError:
            out.append("z")
        finally:
            out.append("f")
    return out
print(f([1, 0, 2, -1, 5]))
def g():
    for i in range(3):
        try:
            return i
        finally:
            print("finally", i)
print(g())
def h():
    try:
        try:
            raise ValueError("inner")
        finally:
            print("inner finally")
    except ValueError as e:
        return "caught " + str(e)
print(h())
def k():
    try:
        return "try"
    except Exception:
        return "except"
    else:
        return "else"
print(k())
def m():
    try:
        x = 1
    except Exception:
        x = 2
    else:
        x = 3
    finally:
        x += 10
    return x
print(m())
final_return_value = [g(), m()]
