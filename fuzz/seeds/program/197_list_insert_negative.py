a = [1, 2, 3]
a.insert(-1, "x")
a.insert(-100, "start")
a.insert(2, "mid")
print(a)
print(a.pop(-3), a.pop(1), a)
b = list("hello")
while "l" in b:
    b.remove("l")
print(b, b.index("o"), b[-1])
c = [3, 1, 2]
c.extend(range(2))
c.extend("ab")
c += (9,)
print(c, c[::-1][:2])
final_return_value = a
