d = {"a": 1, "b": 2}
print(d.get("a"), d.get("z"), d.get("z", 0), d.setdefault("c", 3), d.setdefault("a", 99), d)
d.update({"d": 4}, e=5)
d.update([("f", 6)])
print(d, len(d))
print(d.pop("a"), d.pop("zz", "none"), d)
print(d.popitem(), d)
e2 = d.copy()
e2["b"] = 20
print(d["b"], e2["b"], "b" in d, "zz" not in d)
print(dict.fromkeys(["x", "y"]), dict.fromkeys("ab", 0))
print(list(d.keys()), list(d.values()), list(d.items()))
print(d | {"b": -1, "q": 0}, {**d, "z": 1})
d |= {"n": 1}
print(d)
try:
    d.pop("missing")
except KeyError as e:
    print("KeyError", e)
d.clear()
print(d, bool(d))
final_return_value = e2
