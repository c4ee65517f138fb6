# int() with an explicit base: valid bases 0 and 2..36, the rest is ValueError (not a crash).
print(int("ff", 16), int("0x1f", 0), int("z", 36), int("-101", 2), int("-9223372036854775808"))
for base in [1, 37, 116, -5, 99999999999]:
    try:
        int("10", base)
        print("accepted", base)
    except ValueError as e:
        print("ValueError", base, e)
for text, base in [("12", 2), ("g", 16), ("", 10)]:
    try:
        int(text, base)
    except ValueError as e:
        print("ValueError", e)
