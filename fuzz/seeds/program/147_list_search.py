a = [5, 3, 8, 3, 1]
print(a.index(3), a.index(3, 2), a.count(3), 8 in a, 9 not in a, a.index(1, -2))
print([i for i, v in enumerate(a) if v == 3], [v for v in a if v > 4][0])
try:
    a.index(3, 4)
except ValueError as e:
    print("ValueError", e)
nested = [[1, 2], [3, 4]]
print([1, 2] in nested, nested.index([3, 4]), nested.count([1, 2]), [[1, 2]] * 2 == [nested[0]] * 2)
print(list(range(10))[2:8:3], [1, 2, 3][::-1] == list(reversed([1, 2, 3])), [] == [], [0] * 3 < [0] * 4)
final_return_value = sorted(set(a))
