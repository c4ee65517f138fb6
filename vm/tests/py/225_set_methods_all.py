a = {1, 2, 3, 4}
b = {3, 4, 5}
out = [
    sorted(a | b), sorted(a & b), sorted(a - b), sorted(a ^ b),
    sorted(a.union([9], (10,))), sorted(a.intersection(b, {4})), sorted(a.difference({1})),
    sorted(a.symmetric_difference(b)), a.issubset({1, 2, 3, 4, 5}), a.issuperset({1}),
    a.isdisjoint({7}), {1, 2} <= {1, 2}, {1} < {1, 2}, {1, 2} > {1},
]
s = set()
s.add(3); s.add(1); s.add(3)
s.discard(5)
s.update([7, 8])
s.remove(7)
popped = len(s)
s.intersection_update({1, 8, 9})
s2 = frozenset_like = set("hello")
out += [sorted(s), popped, sorted(s2), len(s2)]
try:
    s.remove(99)
except KeyError:
    out.append("keyerror")
print(out)
final_return_value = out
