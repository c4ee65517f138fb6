data = [1, 5, 2, 8, 3]
big = [y for x in data if (y := x * 2) > 5]
total = 0
results = [(total := total + x) for x in data]
if (n := len(data)) > 3:
    msg = f"long list of {n}"
else:
    msg = "short"
i = 0
out = []
while (i := i + 1) < 4:
    out.append(i)
print(big, results, total, msg, out)
final_return_value = [big, results, total, msg, out]
