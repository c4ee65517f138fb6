print(int("42"), int("-17"), int("  8 "), int("0x1f", 16), int("ff", 16), int("101", 2), int("z", 36), int("1_000"))
print(int(3.9), int(-3.9), int(True), float("3.5"), float("-1e3"), float("inf"), float(" 2 "), float(7))
print(str(3), str(-0.5), str(1e21), str(1.0), str(True), str(None), str([1, "a"]), str((1,)))
print(bool(""), bool("0"), bool(0.0), bool([0]), int("0"), float("nan") != float("nan"))
print(repr("it's"), repr('say "hi"'), repr("both ' and \""), repr("\n\t\\"))
print(chr(65), ord("A"), chr(0x263A), ord("€"), f"{255:#x}", f"{8:#o}", f"{5:#b}", f"{-1:#x}")
for bad in ["", "1.5", "abc", "0x10"]:
    try:
        int(bad)
    except ValueError as e:
        print("ValueError", e)
try:
    float("x")
except ValueError as e:
    print("ValueError", e)
final_return_value = [int("7"), float("0.25"), str(12)]
