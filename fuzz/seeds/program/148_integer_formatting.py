for n in [0, 5, -5, 42, 1000, 65535, -1234567]:
    print(f"{n:d}|{n:6d}|{n:<6d}|{n:^6d}|{n:06d}|{n:+d}|{n: d}|{n:,d}|{n:x}|{n:#b}")
print(format(255, "x"), format(255, "#010x"), format(-255, "#x"), format(10, "o"), format(10, "c") == "\n")
print(str(10).zfill(4), "%04d" % -3, "%+05d" % 3, "%-5d|" % 3, "% d" % 3, "%5s|" % 3)
print(f"{1234.5:,.2f} {-1234.5:,.0f} {0.000:.2f} {1e6:,.0f} {123.456:.1f}")
final_return_value = [f"{n:,}" for n in [1, 1000, 1000000]]
