data = [3, 8, 1, 9, 4]
if (n := len(data)) > 3:
    print("long", n)
big = [y for x in data if (y := x * 2) > 6]
print(big, y)
label = "high" if max(data) > 8 else "low" if max(data) > 3 else "none"
print(label, [("odd" if v % 2 else "even") for v in data])
print(None if not data else data[0], (lambda: "x")(), (lambda a, b=2: a * b)(3))
final_return_value = big
