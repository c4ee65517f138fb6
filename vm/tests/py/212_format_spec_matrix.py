vals = [0, 7, -7, 1234567, 3.14159, -0.5, 1e10, 2.5e-5]
out = []
for v in vals:
    out.append(f"{v:>10}|{v:<8}|{v:^9}|{v:+}|{v:e}|{v:.3g}|{v:,}")
for n in [0, 255, -42, 65535]:
    out.append(f"{n:b}|{n:o}|{n:x}|{n:X}|{n:#x}|{n:08d}|{n:_}|{n:#010b}")
out.append(f"{'abc':*^11}|{'x':>3}|{'long text':.4}|{3.5:%}|{0.125:.1%}")
out.append(format(12.5, "08.2f") + "|" + format("s", "<3") + "|" + format(10, "x"))
print("\n".join(out))
final_return_value = out
