a = [1, 2, 3]
b = a
a += [4]
print(a, b, a is b)
a = a + [5]
print(a, b, a is b)
c = [[0] * 2] * 2
c[0][0] = 9
print(c)
d = [[0] * 2 for _ in range(2)]
d[0][0] = 9
print(d)
e = [1, 2, 3, 4, 5]
e[1:3] = []
print(e)
e[len(e):] = [6, 7]
print(e)
e[:0] = [0]
print(e)
del e[-1]
del e[:2]
print(e)
f = [3] * 3
f *= 2
print(f, [1, 2] * 0, [None] * 3)
final_return_value = e
