r = range(2, 20, 3)
print(r, list(r), len(r), r[0], r[-1], 8 in r, 9 in r)
print(list(range(0)), list(range(5, 0)), list(range(0, -10, -4)), range(3) == range(0, 3), len(range(-5, 5, 2)))
print(sum(range(1, 5)), max(range(3)), sorted(range(3), reverse=True), list(reversed(range(1, 4))))
print([i for i in range(10) if i % 4 == 0], list(r).index(11))
try:
    range(1, 2, 0)
except ValueError as e:
    print("ValueError", e)
try:
    r[10]
except IndexError as e:
    print("IndexError", e)
final_return_value = range(3)
