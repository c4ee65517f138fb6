names = ["ann", "ben", "cat"]
scores = [88, 92, 79]
ranks = sorted(zip(scores, names), reverse=True)
for place, (score, name) in enumerate(ranks, start=1):
    print(f"{place}. {name:<4}{score}")
lookup = {n: s for n, s in zip(names, scores)}
print(lookup, list(zip(*lookup.items())))
print([(i, c) for i, c in enumerate("hey") if i != 1], list(zip(range(3), range(10, 13), "abc")))
final_return_value = [n for _, n in ranks]
