def find(xs, target):
    for i, x in enumerate(xs):
        if x == target:
            break
    else:
        return -1
    return i

res = [find([3, 4, 5], 5), find([], 1), find([1, 2], 9)]
count = 0
while count < 10:
    count += 3
    if count == 100:
        break
else:
    res.append("while-else ran")
for i in range(3):
    for j in range(3):
        if j == i:
            continue
        if i + j > 2:
            break
        res.append((i, j))
print(res)
final_return_value = res
