row = {"name": "widget", "qty": 3, "price": 2.5}
print("%(name)-10s|%(qty)3d|%(price)8.2f" % row)
print("%s" % "s", "%s" % ("t",), "%s %s" % ("a", 1), "%r" % [1], "%s" % {"k": 1})
print("%5.1f%%" % 12.345, "%.3s" % "abcdef", "%-6.2s|" % "xyz", "%5d" % 42)
print("%i" % 3, "%.0f" % 0.5, "%.0f" % 1.5, "%e" % 0, "%g" % 1e-5)
final_return_value = "%s=%d" % ("n", 7)
