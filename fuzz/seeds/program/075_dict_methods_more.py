d = {"a": 1}
print(d.setdefault("b", []), d, d.get("b") is d["b"])
d["b"].append(1)
print(d, d.copy() == d, d.copy() is d, list(d.items())[0], len(d.keys()))
e = dict(a=1, b=2)
e.update([("c", 3)], d=4)
print(e, e.pop("a"), e.popitem(), e, "x" in e.values() if False else 2 in e.values())
print({k: v for k, v in sorted(e.items(), key=lambda kv: -kv[1])}, dict(sorted(e.items())))
inv = {}
for k, v in {"x": 1, "y": 2, "z": 1}.items():
    inv.setdefault(v, []).append(k)
print(inv)
final_return_value = {str(k): v for k, v in inv.items()}
