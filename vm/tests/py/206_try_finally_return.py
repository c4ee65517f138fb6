log = []
def f(x):
    try:
        if x == 0:
            return "zero"
        if x < 0:
            raise ValueError("neg")
        return "pos"
    except ValueError as e:
        log.append("caught " + str(e))
        return "err"
    finally:
        log.append("finally %d" % x)

def g():
    for i in range(5):
        try:
            if i == 1:
                continue
            if i == 3:
                break
            log.append(i)
        finally:
            log.append("f" + str(i))
    return "done"

out = [f(0), f(-1), f(2), g()]
print(out, log)
final_return_value = [out, log]
