s = "abcdefghij"
print(s[2:5], s[:3], s[7:], s[-3:], s[::3], s[1::3], s[::-2], s[8:2:-3], s[5:5], s[-100:100], s[3:-3])
t = tuple(range(8))
print(t[1:4], t[::-1], t[-2:], t[:0])
l = list(range(8))
l[2:5] = ["x"]
print(l)
l[:0] = [-1, -2]
print(l)
l[-1:] = []
print(l, l[len(l) - 1], l[-len(l)])
final_return_value = [s[::-1], l]
