vals = [0, 1, 5, 255, -1, -128, 1 << 40]
out = []
for v in vals:
    out.append([v & 0xF0, v | 3, v ^ 0b1010, ~v, v << 2, v >> 1])
print(out)
flags = 0
for bit in [1, 4, 16]:
    flags |= bit
flags &= ~4
flags ^= 2
print(flags, format(flags, "b"), format(255, "x"))
final_return_value = [out, flags, 7 & -8, -7 >> 1, -1 << 3]
