data = {"rows": [1, 2, 3]}
print("before")
total = 0
for i in range(5):
    total += data["rows"][i]
    print(total)
final_return_value = total
