d = {"b": 2, "a": 1}
d["c"] = 3
print(d, list(d), list(d.keys()), list(d.values()), list(d.items()))
print(d.get("a"), d.get("z"), d.get("z", 0), "a" in d, "z" not in d, len(d))
d.update({"d": 4}, )
d.update(e=5)
print(d.pop("b"), d.pop("zz", None), d.setdefault("f", 6), d.setdefault("a", 99), d)
del d["c"]
print(d, d.popitem(), d)
counts = {}
for w in "the cat the hat the end".split():
    counts[w] = counts.get(w, 0) + 1
print(counts, sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
inv = {v: k for k, v in counts.items()}
print(inv, dict(zip(["x", "y"], [1, 2])), dict([("p", 1)]), {**d, "z": 0}, d | {"q": 1})
print({1: "a", 1.0: "b", True: "c"})
final_return_value = counts
