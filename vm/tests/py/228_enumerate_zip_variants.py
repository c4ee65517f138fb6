names = ["a", "b", "c"]
scores = [90, 80]
out = [
    list(enumerate(names, start=1)),
    list(zip(names, scores)),
    list(zip(names, scores, "xyz")),
    list(zip()),
    dict(zip(names, range(3))),
    [i * s for i, s in enumerate(scores)],
    list(map(lambda a, b: a + str(b), names, scores)),
    list(filter(None, [0, 1, "", "x", None, [], [0]])),
    list(map(str.upper, names)),
    list(reversed(range(1, 10, 3))),
    [x for x, _ in zip(range(10), names)],
]
print(out)
final_return_value = out
