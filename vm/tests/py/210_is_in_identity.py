a = [1, 2]
b = a
c = [1, 2]
out = [a is b, a is c, a == c, a is not c, None is None, 1 in a, 3 not in a,
       "el" in "hello", "x" in {"x": 1}, 2 in {1: "a", 2: "b"}, (1, 2) in [(1, 2)],
       "" in "abc", [] == [], {} == {}, 1 == 1.0, True == 1, "1" == 1]
d = {"k": None}
out.append(d.get("k") is None)
out.append(d.get("z", 5) is not None)
print(out)
final_return_value = out
