x = 3.14159
n = 42
name = "Ada"
print(f"{x:.2f} {n:5d} {n:<5}| {n:^7}| {n:05d} {n:x} {n:X} {n:o} {n:b} {n:#x}")
print(f"{name!r} {name:>6} {name:*^9} {x:10.3f}| {x:e} {1234567.0:g} {0.00001234:g}")
print(f"{1000000:,} {1234.5678:,.2f} {0.25:.1%} {n=} {x = :.1f}")
print(f"{'nested {}'}", f"{n:{'>'}{8}}", f"{[1, 2]} {(1,)} {None} {True}")
print("%s is %d years, %.2f%% done, %5s|%-5s|" % ("Bob", 30, 99.5, "r", "l"))
print("%r %x %o %e" % ("q", 255, 8, 12345.678))
print("{} and {}".format(1, 2), "{1} {0}".format("a", "b"), "{name}:{v:>4}".format(name="k", v=7))
print("{:.3f} {!r} {:>{w}}".format(2 / 3, "s", "r", w=4))
final_return_value = f"{n} items"
