def f(a, b=2, /, c=3, *, d, e=5):
    return [a, b, c, d, e]

def g(*args, sep="-", **kw):
    return sep.join(str(x) for x in args) + "|" + ",".join(f"{k}={v}" for k, v in kw.items())

out = [f(1, d=4), f(1, 9, 8, d=7, e=6), g(1, 2, 3), g("a", sep="+", z=1, y=2)]
try:
    f(1)
except TypeError:
    out.append("missing d")
try:
    f(a=1, d=2)
except TypeError:
    out.append("posonly")
print(out)
final_return_value = out
