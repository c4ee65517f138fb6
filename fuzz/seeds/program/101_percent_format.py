print("%d items" % 5, "%5d|%-5d|%05d" % (42, 42, 42), "%i" % 7)
print("%.2f|%8.3f|%-8.1f|%+.1f" % (3.14159, 2.5, -1.25, 2.0))
print("%s|%r|%10s|%-10s|" % ("a", "a", "right", "left"))
print("%x %X %o %#x %#o" % (255, 255, 8, 255, 8))
print("%e|%.2e|%g|%g|%g" % (12345.678, 0.000123, 0.0001, 1e20, 123.0))
print("%c%c" % (72, "i"), "100%%", "%s" % (1,), "%s" % None, "%d" % True)
print("%(name)s is %(age)d" % {"name": "Bo", "age": 7})
print("%s" % [1, (2, 3)], "%r" % "q'uote", "%5.1f%%" % 99.44)
try:
    print("%d" % "x")
except TypeError as e:
    print("TypeError")
try:
    print("%s %s" % ("only",))
except TypeError as e:
    print("TypeError", e)
final_return_value = "%03d-%s" % (7, "z")
