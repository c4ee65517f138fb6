def op(kind):
    try:
        if kind == 0:
            return {}["k"]
        if kind == 1:
            return [][1]
        if kind == 2:
            return int("z")
        if kind == 3:
            return 1 / 0
        return "fine"
    except (KeyError, IndexError) as e:
        return f"lookup:{type(e) == KeyError}:{e}"
    except (ValueError, ZeroDivisionError) as e:
        return f"value-or-zero:{e}"
print([op(k) for k in range(5)])
def bare():
    try:
        raise RuntimeError("r")
    except:
        return "bare caught"
print(bare())
final_return_value = op(3)
