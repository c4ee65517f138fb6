people = [{"n": "bob", "a": 25}, {"n": "al", "a": 30}, {"n": "cy", "a": 25}]
by_age = sorted(people, key=lambda p: p["a"])
print([p["n"] for p in by_age])
print([p["n"] for p in sorted(people, key=lambda p: (p["a"], p["n"]), reverse=True)])
nums = [5, 3, 8, 1]
nums.sort(key=lambda v: -v)
print(nums, sorted("hello"), sorted([(2, "b"), (1, "z"), (2, "a")]))
final_return_value = [p["n"] for p in by_age]
