t = (3, 1, 2, 1)
out = [t.count(1), t.index(2), t[1:3], t[::-1], t + (5,), t * 2, len(t), min(t), 1 in t,
       tuple([1, 2]), tuple("ab"), (1,) == (1,), (1, 2) < (1, 3), (2,) > (1, 9), ()]
a, b = b, a = 1, 2
nested = ((1, 2), (3, (4, 5)))
(w, (x, (y, z))) = nested[1][0], nested[1]
pairs = list(zip(*[(1, "a"), (2, "b")]))
print(out, a, b, w, x, y, z, pairs)
final_return_value = [list(o) if isinstance(o, tuple) else o for o in out] + [a, b, w, x, y, z, pairs]
