def add(a, b=10, *args, scale=1, **kw):
    return (a + b + sum(args)) * scale + len(kw)

print(add(1), add(1, 2), add(1, 2, 3, 4), add(1, scale=3), add(a=5, b=5, extra=1))
def fact(n):
    return 1 if n <= 1 else n * fact(n - 1)
print(fact(10), fact(20))
def make_counter(start):
    def inc(step=1):
        return start + step
    return inc
c = make_counter(10)
print(c(), c(5))
square = lambda x: x * x
print(list(map(square, [1, 2, 3])), list(filter(lambda v: v % 2, range(6))))
def apply(f, *xs):
    return [f(x) for x in xs]
print(apply(str, 1, 2), apply(lambda s: s.upper(), "a", "b"))
def kwonly(a, *, b):
    return a - b
print(kwonly(5, b=2))
def pos_only(a, /, b):
    return a * b
print(pos_only(3, b=4))
args = [1, 2]
kwargs = {"scale": 2}
print(add(*args, **kwargs))
final_return_value = fact(5)
