a = [3, 1, 2]
a.append(5)
a.extend([9, 0])
a.insert(1, 7)
print(a, len(a), a.pop(), a.pop(0), a)
a.remove(7)
a.sort()
print(a, sorted(a, reverse=True), a.index(5), a.count(1))
a.reverse()
print(a, a[1:3], a[::-1], a * 2, [0] * 3 + [1])
b = a.copy()
b[0] = 100
b[1:3] = [7, 8, 9]
del b[-1]
print(a, b)
words = ["banana", "Apple", "cherry"]
print(sorted(words), sorted(words, key=len), sorted(words, key=lambda w: w.lower()))
print(min(a), max(a), sum(a), min("bca"), max([1, 5], [2, 0]), min(words, key=len))
nested = [[1, 2], [3, 4]]
print([x for row in nested for x in row], [r[0] for r in nested if r[1] > 2])
final_return_value = {"a": a, "b": b}
