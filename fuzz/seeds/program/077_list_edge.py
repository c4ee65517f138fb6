l = [1, 2, 3, 2, 1]
l.insert(-1, 9)
l.insert(100, 7)
l.insert(-100, 0)
print(l, l.index(2), l.index(2, 3), l.count(2))
l.remove(2)
print(l, l.pop(-2), l, [1, 2] * 0, [] + [], [[]] * 2)
x = [3, 1, 2]
y = sorted(x)
x.sort(reverse=True)
print(x, y, x == sorted(y, reverse=True), list(reversed(x)), x[::-1] == list(reversed(x)))
print([1, 2, 3] < [1, 2, 4], [1, 2] < [1, 2, 0], [2] > [1, 9], (1, 2) == (1, 2), [1, [2]] == [1, [2]])
nested = [[3, "c"], [1, "a"], [2, "b"]]
nested.sort()
print(nested, max(nested), min(nested, key=lambda p: p[1]))
final_return_value = l
