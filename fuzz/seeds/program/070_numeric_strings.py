raw = ["12", " 7 ", "-3", "4.5", "1e3", "abc", "", "0x1f", "1_000"]
parsed = []
for r in raw:
    try:
        parsed.append(int(r))
    except ValueError:
        try:
            parsed.append(float(r))
        except ValueError:
            parsed.append(None)
print(parsed)
print([str(v) for v in [1, 1.0, -0.5, 1e20, 1e-20, 123456789.0, True, None]])
print(int("ff", 16), int("777", 8), int("-101", 2), int("z", 36), "%.3f" % 2.0005, round(1.005, 2))
final_return_value = parsed
