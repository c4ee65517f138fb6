class QuotaExceeded(Exception):
    pass
def check(n):
    if n > 3:
        raise QuotaExceeded(f"{n} > 3")
    return n
out = []
for i in range(6):
    out.append(check(i))
    print(out)
final_return_value = out
