def find(xs, target):
    for i, x in enumerate(xs):
        if x == target:
            break
    else:
        return -1
    return i
print(find([1, 2, 3], 2), find([1, 2], 9))
found = []
for a in range(2, 20):
    for b in range(2, a):
        if a % b == 0:
            break
    else:
        found.append(a)
print(found)
i = 0
while i < 10:
    i += 1
    if i % 2:
        continue
    if i > 6:
        break
    print("even", i)
else:
    print("never")
final_return_value = found
