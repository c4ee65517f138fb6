def t(x):
    print("t", x)
    return x
r1 = t(0) and t(1)
r2 = t(1) and t(2)
r3 = t(0) or t("")
r4 = t([]) or t([1])
r5 = not t(None)
print(r1, r2, r3, r4, r5)
print(1 < 2 < 3, 3 > 2 > 2, 1 == 1.0 == True, "a" < "b" < "c", 1 != 2 != 1)
x = 5
print(0 < x < 10 and x % 2 == 1, x in range(10), x not in [1, 2], not x == 5)
print(all(v > 0 for v in [1, 2]), any(v > 5 for v in [1, 2]), True + True, True and "yes", False or 0)
final_return_value = [r1, r2, r3, r4, r5]
