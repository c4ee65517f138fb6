total = 0
for i in range(1, 101):
    if i % 15 == 0:
        total += 15
    elif i % 5 == 0:
        total += 5
    elif i % 3 == 0:
        total += 3
print(total)
fib = [0, 1]
while len(fib) < 30:
    fib.append(fib[-1] + fib[-2])
print(fib[-1], sum(fib), max(fib) // min(f for f in fib if f))
squares = {i: i * i for i in range(1, 11)}
print(sum(squares.values()), [k for k, v in squares.items() if v % 2 == 0])
print(2 ** 62 + (2 ** 62 - 1), -(2 ** 62) * 2, abs(-(2 ** 62)))
final_return_value = fib[:10]
