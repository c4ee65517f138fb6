nums = [3, 8, 12, 5]
out = [
    any(n > 10 for n in nums), all(n > 2 for n in nums), any([]), all([]),
    sum(n for n in nums if n % 2 == 0), max((n for n in nums), key=lambda n: -n),
    min(nums, key=abs), sorted(nums, key=lambda n: n % 5),
    [n for n in nums if n > 4 if n < 12], [(a, b) for a in range(3) for b in range(a)],
    [[c * r for c in range(3)] for r in range(2)], {n % 3 for n in nums},
    list(x * y for x, y in zip(nums, nums[1:])),
]
print(out)
final_return_value = [list(o) if isinstance(o, set) else o for o in out]
