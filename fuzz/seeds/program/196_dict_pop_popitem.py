d = {"a": 1, "b": 2, "c": 3, "d": 4}
print(d.popitem(), d.popitem(), d)
d["e"] = 5
print(d.pop("a"), d, d.pop("zz", None))
out = []
while d:
    out.append(d.popitem())
print(out, d)
try:
    d.popitem()
except KeyError as e:
    print("KeyError", e)
final_return_value = out
