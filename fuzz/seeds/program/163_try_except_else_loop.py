def parse_all(items):
    good, bad = [], []
    for s in items:
        try:
            v = int(s)
        except ValueError:
            bad.append(s)
            continue
        else:
            good.append(v)
        finally:
            pass
    return good, bad
print(parse_all(["1", "x", "3", "4.5", "-2"]))
def first_ok(items):
    for s in items:
        try:
            return float(s)
        except ValueError:
            pass
    return None
print(first_ok(["a", "2.5e1", "3"]), first_ok([]))
final_return_value = parse_all(["7", "?"])
