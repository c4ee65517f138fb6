log = []
def run(kind):
    try:
        log.append("try")
        if kind == "raise":
            raise ValueError("v")
        if kind == "return":
            return "r"
    except ValueError as e:
        log.append("except " + str(e))
        return "from-except"
    else:
        log.append("else")
    finally:
        log.append("finally")
    log.append("after")
    return "end"
for k in ["ok", "raise", "return"]:
    log.clear()
    print(k, run(k), log)
def override():
    try:
        return 1
    finally:
        return 2
print(override())
def loop():
    out = []
    for i in range(4):
        try:
            if i == 1:
                continue
            if i == 3:
                break
            out.append(i)
        finally:
            out.append("f%d" % i)
    return out
print(loop())
final_return_value = run("raise")
