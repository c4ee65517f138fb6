words = ["apple", "Avocado", "banana", "Blueberry", "cherry"]
initials = {w[0].lower() for w in words}
print(sorted(initials), len(initials), "a" in initials)
evens = {x for x in range(10) if x % 2 == 0}
odds = {x for x in range(10)} - evens
print(sorted(evens), sorted(odds), sorted(evens | odds) == list(range(10)), evens & odds == set())
print(set(), set("aab") == {"a", "b"}, {1, 2} == {2, 1}, len({(1, 2), (1, 2)}))
seen = set()
uniq = []
for x in [3, 1, 3, 2, 1]:
    if x not in seen:
        seen.add(x)
        uniq.append(x)
print(uniq, sorted(seen))
final_return_value = sorted({len(w) for w in words})
