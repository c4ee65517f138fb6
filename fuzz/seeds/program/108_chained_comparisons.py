x = 5
print(1 < x < 10, 1 < x > 3, 10 > x >= 5, 1 < 2 < 3 < 4 < 0, x == 5 == 5.0)
print(1 < 3 != 3, "a" < "b" < "c", [1] < [2] <= [2], 0 <= x <= 4)
print(x in [5] in [[5]], 2 not in [1] not in [[2]], None is None is not False)
calls = []
def f(v):
    calls.append(v)
    return v
print(f(1) < f(2) < f(0) < f(3))
print(calls)
print((1 < 2) < 3, 1 < (2 < 3), 3 > 2 == True)
a = [1, 2]
b = a
print(a is b, a is not [1, 2], a == [1, 2], not a != b)
final_return_value = [1 < x < 10, x < 2 < 0]
