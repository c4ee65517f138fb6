x = 10
squares = {x: x * x for x in range(4)}
print(x, squares)
matrix = [[i * j for j in range(1, 4)] for i in range(1, 4)]
flat = [v for row in matrix for v in row if v % 2 == 0]
print(matrix, flat)
names = ["ann", "bob", "cy"]
lookup = {n: i for i, n in enumerate(names)}
pairs = [(a, b) for a in names for b in names if a < b]
print(lookup, pairs)
print(sum(len(n) for n in names), max(len(n) for n in names), sorted((len(n), n) for n in names))
print([n.upper() if len(n) > 2 else n for n in names], [[c for c in n] for n in names[:1]])
final_return_value = lookup
