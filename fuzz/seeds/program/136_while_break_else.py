def find_factor(n):
    i = 2
    while i * i <= n:
        if n % i == 0:
            break
        i += 1
    else:
        return None
    return i
print([find_factor(n) for n in [2, 9, 15, 17, 49, 97, 100]])
for n in range(3):
    for m in range(3):
        if m > n:
            break
    else:
        print("no break", n)
count = 0
while True:
    count += 1
    if count % 2:
        continue
    if count > 6:
        break
print(count)
final_return_value = [n for n in range(2, 30) if find_factor(n) is None]
