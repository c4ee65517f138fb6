x = 10
result = [x for x in range(3)]
print(x, result)
funcs = [(lambda y: y + i) for i in range(1)]
print(funcs[0](5))
pairs = [(i, j) for i in range(3) for j in range(i)]
print(pairs, len(pairs))
m = [[0] * 3 for _ in range(2)]
m[1][2] = 5
print(m)
acc = []
[acc.append(i * 2) for i in range(3)]
print(acc)
final_return_value = {str(i): [j for j in range(i)] for i in range(4)}
