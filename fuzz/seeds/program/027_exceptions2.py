def parse(s):
    try:
        return int(s)
    except ValueError:
        return None
    finally:
        pass
print([parse(x) for x in ["1", "x", "3"]])
log = []
def step(i):
    try:
        log.append(f"start {i}")
        if i == 1:
            raise KeyError(i)
        if i == 2:
            return "early"
        log.append("body done")
    except KeyError as e:
        log.append(f"key {e}")
    finally:
        log.append(f"end {i}")
    return "normal"
print([step(i) for i in range(3)])
print(log)
for i in range(3):
    try:
        if i == 1:
            continue
        log.append(i)
    finally:
        log.append("f")
print(log[-5:])
try:
    raise RuntimeError("a", 1)
except Exception as e:
    print(e.args, str(e))
err = ValueError("bad")
print(repr(err), str(err))
try:
    raise ValueError
except ValueError as e:
    print("bare class", repr(e))
final_return_value = log[-1]
