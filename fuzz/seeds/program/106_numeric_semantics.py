for x in [0.5, 1.5, 2.5, -0.5, -1.5, 3.5, 2.675]:
    print(x, round(x), round(x, 1))
print(round(1234, -2), round(1250, -2), round(1350, -2), round(-7), round(7.0), type(round(7.5)))
for a, b in [(7, 2), (-7, 2), (7, -2), (-7, -2), (0, 3)]:
    print(a, b, a // b, a % b, divmod(a, b))
print(7.5 // 2, -7.5 // 2, 7.5 % 2, -7.5 % 2, divmod(-7.5, 2), 5 % -3.0)
print(abs(-3), abs(3.5), abs(-0.0), abs(True), 2 ** 10, 2 ** -1, 3 ** 4 % 5, (-2) ** 3)
print(2 ** 0.5, 4 ** 0.5, (-8) ** 2, 10 ** -2, 0 ** 0, 2 ** 62)
try:
    print(1 // 0)
except ZeroDivisionError as e:
    print("ZeroDivisionError", e)
try:
    print(1.0 % 0)
except ZeroDivisionError as e:
    print("ZeroDivisionError", e)
final_return_value = [divmod(-9, 4), round(0.125, 2), round(-2.5)]
