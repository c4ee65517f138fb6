class QuotaError(Exception):
    pass
def check(n):
    if n > 3:
        raise QuotaError(f"quota exceeded: {n}")
    return n
print([check(i) for i in range(3)])
check(5)
