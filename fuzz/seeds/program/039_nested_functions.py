def process(records, *, key="v", transform=None):
    def default(x):
        return x * 2
    fn = transform or default
    result = []
    for r in records:
        val = r.get(key)
        if val is None:
            continue
        result.append(fn(val))
    return result
print(process([{"v": 1}, {"w": 2}, {"v": 3}]), process([{"w": 2}], key="w", transform=str))
def outer(n):
    def middle(m):
        def inner(k):
            return n + m + k
        return inner(1)
    return middle(10)
print(outer(100))
def varargs_sum(*nums, start=0):
    total = start
    for n in nums:
        total += n
    return total
print(varargs_sum(), varargs_sum(1, 2, 3), varargs_sum(1, start=10))
final_return_value = outer(1)
