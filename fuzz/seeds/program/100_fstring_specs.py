name = "Ada"
x = 3.14159
n = 1234567
print(f"[{name:>8}] [{name:<8}] [{name:^8}] [{name:*>8}]")
print(f"{x:.3f} {x:8.2f} {x:<8.1f}| {x:+.2f} {-x:.0f}")
print(f"{n:,} {n:_} {n:,.2f} {n:x} {n:X} {n:#x} {n:o} {n:b}")
print(f"{name!r} {name!s} {'é'!a} {[1, 'a']!r}")
print(f"{name=} {x=:.2f} {n = }")
print(f"{n:>12,} {255:08b} {-255:x} {3:03d} {0.5:.0%}")
w = 6
p = 2
print(f"{x:{w}.{p}f}|{name:{'^'}{w}}|")
print(f"{{literal}} {1 + 2} {'a' 'b'} {n // 1000}")
final_return_value = f"{x:.2f}"
