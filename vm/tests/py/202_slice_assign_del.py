l = list(range(10))
l[2:5] = ["a", "b"]
print(l)
l[::3] = [0, 0, 0]
print(l)
del l[1:3]
print(l)
del l[::2]
print(l)
l[len(l):] = [99, 100]
l[:0] = [-1]
print(l)
m = [1, 2, 3]
m[1:2] = []
final_return_value = [l, m]
