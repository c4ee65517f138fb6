a = [1, 2, 3, 4]
del a[0]
del a[-1]
b = a
print(a, b is a, a == [2, 3], a is [2, 3], None is None, 1 is 1, "x" is "x", () is ())
d = {"x": 1, "y": 2}
del d["x"]
x = 5
del x
try:
    print(x)
except NameError as e:
    print("NameError")
l = [[0] * 2] * 2
l[0][0] = 9
print(l)
m = [[0] * 2 for _ in range(2)]
m[0][0] = 9
print(m, d)
final_return_value = [a, d]
