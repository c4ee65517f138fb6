r = range(1, 20, 4)
print(list(r), len(r), r[2], r[-1], 9 in r, 10 in r, sum(r), max(r), list(r[1:3]) if False else 0)
print(list(range(0)), list(range(-5, 0)), list(range(5, 0, -1)))
total = 0
for i in range(100):
    total += i
print(total)
print(list(enumerate(range(3), start=10)), list(zip(range(3), "abc", [True, False, None])))
final_return_value = list(range(3))
