t = (1, 2, 3, 2, 1)
print(t.count(2), t.index(3), t.index(1, 1), len(t), t[::-1], t[1:3])
print(t + (9,), t * 2, (1,) * 0, (1, 2) < (1, 3), (1, 2) < (1, 2, 0), () == ())
a, *rest = t
print(a, rest, tuple("abc"), tuple([1, [2]]), (1,), tuple())
print(max(t), min(t), sum(t), sorted(t), 3 in t)
d = {(1, 2): "pair"}
print(d[(1, 2)], d[1, 2])
try:
    t.index(42)
except ValueError as e:
    print("ValueError", e)
final_return_value = t
