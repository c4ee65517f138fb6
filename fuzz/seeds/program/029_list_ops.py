m = [[0] * 3 for _ in range(3)]
for i in range(3):
    m[i][i] = 1
print(m)
grid = [[1, 2, 3], [4, 5, 6]]
print([list(r) for r in zip(*grid)], [sum(r) for r in grid], [max(c) for c in zip(*grid)])
x = list(range(10))
print(x[2:8:2], x[::-3], x[-3:-1], x[8:2:-2], x[100:], x[:-100])
x[::2] = [0] * 5
print(x)
del x[1::2]
print(x)
y = [5, 1, 4]
y += [2]
y *= 2
print(y, y.count(4), 4 in y, [] == [], [1, 2] < [1, 3], [1] + [2] == [1, 2])
stack = []
stack.append(1); stack.append(2)
print(stack.pop(), stack)
q = [3, 1, 2]
print(sorted(q), q, list(reversed(q)), q[::-1] == list(reversed(q)))
final_return_value = m
