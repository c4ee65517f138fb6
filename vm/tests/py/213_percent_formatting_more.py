out = [
    "%s and %s" % ("a", "b"),
    "%d%%" % 50,
    "%5d|%-5d|%05d" % (42, 42, 42),
    "%.2f|%8.3f|%-8.1f|" % (3.14159, 2.5, -1.25),
    "%x %X %o" % (255, 255, 8),
    "%r %s" % ("q", "q"),
    "%(name)s is %(age)d" % {"name": "Ann", "age": 30},
    "%e" % 12345.678,
    "%c%c" % (65, "b"),
    "%+d %+d" % (5, -5),
    "%10s|%-10s|" % ("right", "left"),
    "%.3s" % "abcdef",
]
print(out)
final_return_value = out
