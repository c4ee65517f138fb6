d = {}
for k in ["z", "a", "m"]:
    d[k] = len(k)
d["a"] = 99
del d["z"]
d["z"] = 0
print(d, list(d), [k for k in d], sorted(d), len(d))
e = dict(d)
e.pop("a")
print(d == e, d != e, {"a": 1, "b": 2} == {"b": 2, "a": 1}, dict.fromkeys(["x", "y"], 0))
nested = {"k": [1, {"deep": (1, 2)}]}
copy = dict(nested)
copy["k"].append(3)
print(nested, {(1, 2): "tuple key"}[(1, 2)], {1: "a"}.get(1.0), {None: 1}[None])
final_return_value = d
