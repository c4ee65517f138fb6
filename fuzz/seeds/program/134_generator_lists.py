nums = [4, 8, 15, 16, 23, 42]
print(sum(n for n in nums if n % 2), max(n % 7 for n in nums), min((n, -n) for n in nums))
print(list(n * 2 for n in nums), tuple(n for n in nums if n > 15), sorted((n % 5 for n in nums), reverse=True))
print(any(n > 40 for n in nums), all(n > 3 for n in nums), dict((str(n), n) for n in nums[:2]))
print(", ".join(f"{n:02d}" for n in nums), set(n // 10 for n in nums) == {0, 1, 2, 4})
g = (x * x for x in range(4))
print(list(g))
final_return_value = list(sum(row) for row in [[1, 2], [3], []])
