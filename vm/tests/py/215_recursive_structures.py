def flatten(x):
    if isinstance(x, list):
        out = []
        for y in x:
            out.extend(flatten(y))
        return out
    return [x]

def depth(x):
    if isinstance(x, dict):
        return 1 + max([depth(v) for v in x.values()] + [0])
    if isinstance(x, list):
        return 1 + max([depth(v) for v in x] + [0])
    return 0

def fib(n, memo={}):
    if n in memo:
        return memo[n]
    r = n if n < 2 else fib(n - 1) + fib(n - 2)
    memo[n] = r
    return r

tree = {"a": [1, {"b": [2, [3, 4]]}], "c": {}}
print(flatten([1, [2, [3, [4, []]]], 5]), depth(tree), fib(50))
final_return_value = [flatten([1, [2, [3, [4, []]]], 5]), depth(tree), fib(80)]
