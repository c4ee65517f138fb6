counter = 0
def bump(c):
    return c + 1
for _ in range(3):
    counter = bump(counter)
def outer():
    items = []
    def add(x):
        items.append(x)
        return len(items)
    add(1)
    add(2)
    return items
def fib(n):
    memo = {}
    def go(k):
        if k < 2:
            return k
        if k in memo:
            return memo[k]
        memo[k] = go(k - 1) + go(k - 2)
        return memo[k]
    return go(n)
print(counter, outer(), fib(50))
final_return_value = counter
