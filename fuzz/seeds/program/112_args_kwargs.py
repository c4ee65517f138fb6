def f(a, b=2, *args, c, d=4, **kwargs):
    return [a, b, list(args), c, d, sorted(kwargs.items())]
print(f(1, c=3))
print(f(1, 5, 6, 7, c=8, e=9, z=0))
print(f(*[1, 2, 3], **{"c": 0, "d": 1, "x": 2}))
def pos_only(a, b, /, c):
    return a * 100 + b * 10 + c
print(pos_only(1, 2, 3), pos_only(1, 2, c=4))
def kw_only(*, key, value=None):
    return {key: value}
print(kw_only(key="k"), kw_only(value=1, key="v"))
def collect(*args, **kwargs):
    return len(args), kwargs
print(collect(), collect(1, 2, x=1), collect(*"ab", **dict(y=2)))
for bad in [lambda: f(), lambda: f(1), lambda: kw_only("k"), lambda: pos_only(a=1, b=2, c=3), lambda: f(1, c=1, a=2)]:
    try:
        bad()
    except TypeError:
        print("TypeError")
final_return_value = f(0, c=1)
