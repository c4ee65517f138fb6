def matmul(a, b):
    return [[sum(x * y for x, y in zip(row, col)) for col in zip(*b)] for row in a]
def transpose(m):
    return [list(r) for r in zip(*m)]
a = [[1, 2], [3, 4]]
b = [[5, 6], [7, 8]]
print(matmul(a, b), transpose(a), [sum(r) for r in a], sum(sum(r) for r in b))
ident = [[1 if i == j else 0 for j in range(3)] for i in range(3)]
print(ident, matmul(ident, ident) == ident)
final_return_value = matmul(a, b)
