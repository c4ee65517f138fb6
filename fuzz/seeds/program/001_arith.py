print(7 // 2, -7 // 2, 7 % 3, -7 % 3, 7 % -3, 2 ** 10, 2 ** -1, 7 / 2)
print(1 + 2.5, 3 * 1.5, 10 / 4, 9 // 2.0, -9.5 % 2)
print(1 << 10, 1024 >> 3, 6 & 3, 6 | 3, 6 ^ 3, ~5, -(-3), +4)
print(True + True, True * 3, abs(-5), abs(-2.5), divmod(17, 5), divmod(-17, 5))
print(round(2.5), round(3.5), round(2.675, 2), round(1234, -2), round(-0.5))
final_return_value = [0.1 + 0.2, 1e16, 1.5e-7, 1 / 3, 100.0, -0.0]
