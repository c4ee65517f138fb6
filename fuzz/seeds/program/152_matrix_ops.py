a = [[1, 2], [3, 4]]
b = [[0, 1], [1, 0]]
def matmul(x, y):
    return [[sum(x[i][k] * y[k][j] for k in range(len(y))) for j in range(len(y[0]))] for i in range(len(x))]
print(matmul(a, b), matmul(b, a))
t = [list(r) for r in zip(*a)]
print(t, [row[::-1] for row in a], [sum(col) for col in zip(*a)])
ident = [[int(i == j) for j in range(3)] for i in range(3)]
print(ident, sum(map(sum, ident)))
final_return_value = matmul(a, a)
