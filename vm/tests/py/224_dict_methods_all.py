d = {"a": 1, "b": 2}
d.update({"c": 3}, d=4)
d.update([("e", 5)])
d.setdefault("a", 100)
d.setdefault("z", [])
d["z"].append(1)
p = d.pop("b")
q = d.pop("nope", "default")
k, v = d.popitem()
c = d.copy()
c["a"] = -1
fk = dict.fromkeys(["x", "y"], 0)
merged = {**d, **{"a": 9}, "new": True}
keys = list(d)
items = [[k, v] for k, v in d.items()]
try:
    d.pop("gone")
except KeyError as e:
    err = str(e)
print(d, p, q, k, v, c, fk, merged, keys, items, err)
final_return_value = [d, p, q, k, v, c, fk, merged, keys, items, err, len(d), "a" in d]
