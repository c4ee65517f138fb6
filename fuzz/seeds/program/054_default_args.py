def greet(name, greeting="Hello", punct="!"):
    return f"{greeting}, {name}{punct}"
print(greet("A"), greet("B", "Hi"), greet("C", punct="?"), greet(greeting="Yo", name="D"))
def append_to(x, acc=None):
    if acc is None:
        acc = []
    acc.append(x)
    return acc
print(append_to(1), append_to(2))
def stats(*nums):
    if not nums:
        return None
    n = len(nums)
    mean = sum(nums) / n
    var = sum((x - mean) ** 2 for x in nums) / n
    return {"n": n, "mean": mean, "var": round(var, 4), "min": min(nums), "max": max(nums)}
print(stats(), stats(1, 2, 3, 4))
def kw(**opts):
    return sorted(opts)
print(kw(b=1, a=2), kw())
final_return_value = stats(2, 4)
