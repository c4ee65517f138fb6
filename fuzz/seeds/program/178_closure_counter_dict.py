def make_bank():
    accounts = {}
    def deposit(name, amt):
        accounts[name] = accounts.get(name, 0) + amt
        return accounts[name]
    def report():
        return sorted(accounts.items())
    return deposit, report
dep, rep = make_bank()
dep("a", 10)
dep("b", 5)
dep("a", -3)
print(rep())
def memoize(f):
    cache = {}
    def g(n):
        if n not in cache:
            cache[n] = f(n)
        return cache[n]
    return g
sq = memoize(lambda n: n * n)
print(sq(4), sq(4), [sq(i) for i in range(4)])
final_return_value = rep()
