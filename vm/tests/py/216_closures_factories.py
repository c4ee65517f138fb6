def make_adder(n):
    def add(x):
        return x + n
    return add

def make_counter():
    state = {"n": 0}
    def inc(step=1):
        state["n"] += step
        return state["n"]
    return inc

def compose(*fs):
    def run(x):
        for f in reversed(fs):
            x = f(x)
        return x
    return run

adders = [make_adder(i) for i in range(3)]
c = make_counter()
c(); c(5)
pipeline = compose(str, make_adder(10), lambda v: v * 2)
out = [[a(1) for a in adders], c(), pipeline(4), (lambda *a, **k: [len(a), sorted(k)])(1, 2, z=3, a=1)]
print(out)
final_return_value = out
