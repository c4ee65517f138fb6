a = [1, 2, 3]
b = "xyz"
print(list(zip(a, b)), list(zip(a, b, [True, False])), list(zip(a, "ab")), list(zip()))
print(list(enumerate(b)), list(enumerate(b, 1)), list(enumerate(b, start=-1)))
print(list(map(str, a)), list(map(lambda x, y: x * y, a, [4, 5, 6])), list(map(len, ["a", "bb"])))
print(list(filter(None, [0, 1, "", "a", None, [], [0]])), list(filter(lambda x: x > 1, a)))
names, nums = zip(*[("a", 1), ("b", 2)])
print(names, nums)
d = dict(zip(["k1", "k2"], [10, 20]))
print(d, dict(enumerate("ab")))
for i, (x, y) in enumerate(zip(a, b)):
    print(i, x, y)
print(list(reversed(a)), list(reversed("abc")), list(reversed(range(3))))
final_return_value = list(map(lambda p: p[0] + p[1], zip(a, a)))
