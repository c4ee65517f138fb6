s = "Hello, World"
print(s[0], s[-1], s[7:], s[:5], s[-5:-1], s[::2], s[::-2], s[100:], s[-100:3])
print(s[1:-1:3], s[5:0:-1], len(s[3:3]), s[2:8][1:3])
try:
    s[20]
except IndexError as e:
    print("IndexError", e)
try:
    s[0] = "h"
except TypeError as e:
    print("TypeError", e)
print("é😀a"[1], len("é😀a"), "é😀a"[::-1])
print(s.upper()[::3], s.lower().count("l"), s * 2, "-" * 5)
final_return_value = [s[i] for i in range(0, len(s), 4)]
