out = []
for a, b in [(1, 0), (1.0, 0), (5, 0.0), (0, 0)]:
    for op in ["/", "//", "%"]:
        try:
            if op == "/":
                r = a / b
            elif op == "//":
                r = a // b
            else:
                r = a % b
            out.append(r)
        except ZeroDivisionError:
            out.append("zde " + op)
try:
    divmod(3, 0)
except ZeroDivisionError:
    out.append("divmod")
print(out)
final_return_value = out
