out = []
for s in ["12", "1.5", "abc", "", " 7 ", "-0", "1_000", "0x10"]:
    try:
        out.append(int(s))
    except ValueError:
        out.append("int fails: " + repr(s))
    try:
        out.append(float(s))
    except ValueError:
        out.append("float fails: " + repr(s))
for v in [None, [1], {"a": 1}]:
    try:
        out.append(int(v))
    except TypeError:
        out.append(["type", v])
print(out)
final_return_value = out
