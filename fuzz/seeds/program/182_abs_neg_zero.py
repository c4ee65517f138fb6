print(abs(-0.0), -0.0, 0.0 == -0.0, str(-0.0), repr(-0.0 * 1), 0 * -1, -0.0 + 0.0, round(-0.4), round(-0.4, 1))
print(abs(-5), abs(5), abs(-2 ** 62), abs(-1e308), abs(False), -abs(-3))
print(max(-0.0, 0.0), min(0.0, -0.0), -(-(5)), +(-5), ~~7, -(True))
final_return_value = [abs(-7), abs(-7.5), -0]
