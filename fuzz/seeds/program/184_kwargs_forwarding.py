def base(a, b=0, **opts):
    return f"a={a} b={b} opts={sorted(opts.items())}"
def wrapper(*args, **kwargs):
    kwargs.setdefault("verbose", False)
    return base(*args, **kwargs)
print(wrapper(1), wrapper(1, 2, color="red"), wrapper(a=3, verbose=True))
def tally(*nums, scale=1):
    return sum(nums) * scale
print(tally(), tally(1, 2, 3), tally(*range(4), scale=10), tally(*[1], *[2, 3]))
opts = {"scale": 2}
print(tally(5, **opts), base(**{"a": 1, "b": 2, "z": 3}))
try:
    base(1, 2, 3)
except TypeError:
    print("TypeError")
final_return_value = wrapper(9, x=1)
