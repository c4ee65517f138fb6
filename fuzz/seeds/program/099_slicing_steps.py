a = list(range(10))
s = "abcdefghij"
for sl in [(None, None, 2), (1, None, 3), (None, None, -1), (8, 2, -2), (-3, None, None), (None, -3, None), (-1, -6, -1), (2, 100, 4), (-100, 3, None), (5, 5, None), (7, 2, None)]:
    print(sl, a[sl[0]:sl[1]:sl[2]], s[sl[0]:sl[1]:sl[2]])
print(a[-1], a[-10], s[-1], s[::-1][:3], (1, 2, 3, 4)[::-2])
b = a[:]
b[2:5] = ["x"]
print(b)
b[::3] = [0, 0, 0]
print(b)
del b[::2]
print(b)
try:
    a[::0]
except ValueError as e:
    print("ValueError", e)
final_return_value = s[1::2]
