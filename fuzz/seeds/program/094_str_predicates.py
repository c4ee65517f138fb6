samples = ["123", "12.3", "", "abc", "Abc1", "  ", "\t\n", "٣", "a_b", "if", "_x1", "1x"]
for s in samples:
    print(repr(s), s.isdigit(), s.isdecimal(), s.isnumeric(), s.isidentifier(), s.isprintable(), s.isspace())
print("abc".isprintable(), "a\nb".isprintable(), "x".join("abc"), "-".join([]))
print("{0}-{1}-{0}".format("a", "b"), "{x}/{y}".format(x=1, y=2), "{:*^9}".format("mid"))
print("{0!r} {1:5d} {2:.2%}".format("s", 42, 0.1234), "{} {}".format(1, [2]))
final_return_value = [s for s in samples if s.isidentifier()]
