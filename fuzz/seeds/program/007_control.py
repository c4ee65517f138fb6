total = 0
for i in range(10):
    if i % 2 == 0:
        continue
    if i > 7:
        break
    total += i
else:
    total = -1
print(total)
n = 0
while n < 5:
    n += 1
else:
    print("while-else", n)
for i in range(3):
    pass
else:
    print("for-else ran")
x = 5
if x > 10:
    r = "big"
elif x > 3:
    r = "mid"
else:
    r = "small"
print(r, "yes" if x else "no", x > 3 and x < 10, 0 or "default", 1 < x < 10, 1 < x > 10)
print(list(range(5)), list(range(2, 10, 3)), list(range(10, 0, -2)), len(range(0, 100, 7)))
final_return_value = [total, n, r]
