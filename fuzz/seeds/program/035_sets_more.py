a = {1, 2, 3}
b = {3, 4}
print(sorted(a.union(b)), sorted(a.intersection(b)), sorted(a.difference(b)), sorted(a.symmetric_difference(b)))
a |= {10}
a -= {1}
print(sorted(a), len(a), a == {2, 3, 10}, {1, 2} == {2, 1}, set() == set(), {frozen for frozen in "ab"} >= {"a"})
seen = set()
dups = []
for x in [1, 2, 2, 3, 3, 3]:
    if x in seen:
        dups.append(x)
    seen.add(x)
print(dups, sorted(seen), sorted({x % 3 for x in range(10)}))
s = {5}
s.update([6, 7], {8})
s.remove(5)
print(sorted(s), s.pop() in {6, 7, 8})
final_return_value = sorted(seen)
