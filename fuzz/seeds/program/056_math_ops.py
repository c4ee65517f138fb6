nums = [3, -1, 4, -1, 5, -9, 2, 6]
print(sum(nums), sum(nums) / len(nums), max(nums) - min(nums), sorted(nums)[len(nums) // 2])
print([abs(n) for n in nums], [n ** 2 for n in nums if n > 0], [n % 3 for n in nums], [-n // 2 for n in nums])
print(divmod(-7, 2), divmod(7, -2), divmod(7.5, 2), 7 // 0.5, round(7 / 3, 3), round(-7 / 3, 1))
print(2 ** 63 - 1 if False else 9223372036854775807, -9223372036854775807 - 1, 3 ** 39)
print(int("-0"), int("+5"), int("1_000"), float("1e3"), float("-.5"), float("1_0.5"))
print(10 == 10.0, 0.1 + 0.2 == 0.3, abs(0.1 + 0.2 - 0.3) < 1e-9, 1 / 3 * 3 == 1.0)
final_return_value = [sum(nums), 3 ** 39]
