vals = [0.1, 0.2 + 0.1, 1 / 3, 2 / 3, 1e-5, 1.5e-7, 123456789.123, 1e15, 1e16, 1.0e17, -0.0, 5e-324, 1.7976931348623157e308]
for v in vals:
    print(repr(v), str(v), f"{v}", f"{v:.3g}")
print(0.1 + 0.2 == 0.3, abs(0.1 + 0.2 - 0.3) < 1e-9, float("1e500"), -float("inf"), float("-nan") != 0)
print(round(2.5), round(3.14159, 3), round(-0.5), round(1e-3, 5), 10 / 4, 10 / 3, 7 / 7, -1 / 8)
print(int(2.9999999999999996), 1e3 == 1000, 3.0 == 3)
final_return_value = [0.5, 1e-7, 2.0 ** 0.5]
