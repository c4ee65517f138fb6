s = {3, 1, 2}
s.add(4)
s.discard(10)
print(sorted(s), 2 in s, len(s), sorted(s | {9}), sorted(s & {1, 2}), sorted(s - {1}), sorted(s ^ {1, 8}))
print({1, 2} <= {1, 2, 3}, {1, 2} < {1, 2}, {1}.issubset([1, 2]), {1, 2}.isdisjoint({3}))
t = (1, 2, 3)
a, b, c = t
first, *rest = [1, 2, 3, 4]
*init, last = "abc"
print(a, b, c, first, rest, init, last, t[1:], t + (4,), t * 2, t.index(2), t.count(3), (1,), ())
x, (y, z) = 1, (2, 3)
print(x, y, z, tuple([1, 2]), list((1, 2)), set("aab") == {"a", "b"})
final_return_value = [t, sorted(s)]
