a, b = 1, 2
a, b = b, a
print(a, b)
(x, y), z = (1, 2), 3
print(x, y, z)
first, *middle, last = range(6)
print(first, middle, last)
for i, (k, v) in enumerate({"a": 1, "b": 2}.items()):
    print(i, k, v)
head, *tail = "xyz"
print(head, tail)
p = [1, 2, 3]
print(*p, sep=", ")
print([*p, *"ab"], (*p,), {**{"a": 1}, "b": 2})
def f(*args, **kwargs):
    return args, sorted(kwargs.items())
print(f(*p, **{"k": 1}, z=2))
final_return_value = middle
