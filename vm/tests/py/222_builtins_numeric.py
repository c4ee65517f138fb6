out = [
    abs(-3), abs(-2.5), divmod(17, 5), divmod(-17, 5), divmod(17, -5), divmod(7.5, 2),
    round(2.5), round(3.5), round(-0.5), round(1.2345, 2), round(1234, -2), round(2.675, 2),
    2 ** 10, 2 ** -1, (-8) ** 2, 10 % 3, -10 % 3, 10 % -3, -7 // 2, 7 / 2,
    int("42"), int("-7"), int(" 12 "), int(3.99), int(-3.99), float("1.5"), float("-inf") < 0,
    int(True), float(3), str(1.0), str(1e16), str(1e-5), str(0.1 + 0.2), 1 / 3,
    min(3, 1, 2), max([4, 9, 2]), min("b", "a"), max([], default=0), sum([0.5] * 10),
    sum(range(101)), sum([[1], [2]], []), chr(97), ord("z"), bool(0.0), bool("0"),
]
print(out)
final_return_value = out
