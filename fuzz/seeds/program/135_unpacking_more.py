a, b, c = "xyz"
print(a, b, c)
(d, e), f = [1, 2], 3
print(d, e, f)
first, *middle, last = range(6)
print(first, middle, last)
*init, tail = [1]
print(init, tail)
x, y = y, x = 1, 2
print(x, y)
p = q = [0]
p.append(1)
print(q)
for i, (k, v) in enumerate({"a": 1, "b": 2}.items()):
    print(i, k, v)
print([*range(3), *"ab"], {**{"a": 1}, **{"a": 2, "b": 3}}, (*[1, 2],))
try:
    m, n = [1, 2, 3]
except ValueError as err:
    print("ValueError", err)
try:
    m, n, o = [1, 2]
except ValueError as err:
    print("ValueError", err)
final_return_value = [first, middle, last]
