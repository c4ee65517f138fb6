a = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3]
uniq = []
seen = set()
for x in a:
    if x not in seen:
        seen.add(x)
        uniq.append(x)
print(uniq, len(seen), sorted(seen), 4 in seen, sorted(set(a) - {1, 3}), len(set("hello")))
s1 = set(range(5))
s2 = set(range(3, 8))
print(sorted(s1 & s2), sorted(s1 | s2), sorted(s1 ^ s2), s1.isdisjoint({9}), s1 >= {1, 2}, s1 > s1)
final_return_value = uniq
