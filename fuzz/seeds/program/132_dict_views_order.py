d = {}
d["z"] = 1
d["a"] = 2
d["m"] = 3
print(list(d), list(d.keys()), list(d.values()), list(d.items()))
d["z"] = 10
print(list(d))
del d["z"]
d["z"] = 0
print(list(d), len(d))
e = dict(a=1, b=2)
f = dict([("b", 2), ("a", 1)])
print(e == f, list(e) == list(f), dict(e, c=3), dict({"x": 1}))
print({1: "int", 1.0: "float", True: "bool"}, {(1, 2): 0}[(1, 2)])
print(sorted(d.items(), key=lambda kv: kv[1]), [k for k, v in d.items() if v > 1])
final_return_value = dict(sorted(d.items()))
