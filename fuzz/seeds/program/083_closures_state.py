def make_bank(balance):
    log = []
    def deposit(x):
        log.append(("dep", x))
        return balance + sum(v for k, v in log if k == "dep") - sum(v for k, v in log if k == "wd")
    def withdraw(x):
        log.append(("wd", x))
        return balance + sum(v for k, v in log if k == "dep") - sum(v for k, v in log if k == "wd")
    return deposit, withdraw, log
dep, wd, log = make_bank(100)
print(dep(50), wd(30), dep(5), log)
def memo(f):
    cache = {}
    def g(n):
        if n not in cache:
            cache[n] = f(n)
        return cache[n]
    return g
sq = memo(lambda n: n * n)
print(sq(4), sq(4), sq(5))
final_return_value = [dep(0), len(log)]
