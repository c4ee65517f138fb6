recs = [{"n": "a", "g": 2}, {"n": "b", "g": 1}, {"n": "c", "g": 2}, {"n": "d", "g": 1}]
recs.sort(key=lambda r: r["g"])
print([r["n"] for r in recs])
recs.sort(key=lambda r: r["g"], reverse=True)
print([r["n"] for r in recs])
nums = [5, -3, 2, -2, 3]
nums.sort(key=abs)
print(nums)
words = "The quick Brown fox Jumps".split()
words.sort(key=str.lower)
print(words)
words.sort(key=lambda w: (len(w), w))
print(words)
print(sorted([(1, "b"), (1, "a"), (0, "z")]), sorted([[], [0], [-1, 5]]))
final_return_value = nums
