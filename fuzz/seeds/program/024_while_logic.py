n = 27
steps = 0
while n != 1:
    n = n // 2 if n % 2 == 0 else 3 * n + 1
    steps += 1
print(steps)
primes = []
k = 2
while len(primes) < 10:
    if all(k % p for p in primes):
        primes.append(k)
    k += 1
print(primes)
i = 0
found = None
while True:
    i += 1
    if i * i > 50:
        found = i
        break
print(found, not found, None is None, found is not None, 3 == 3.0, "a" != "b")
final_return_value = primes
