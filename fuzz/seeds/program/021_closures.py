def make_adders():
    return [lambda x, i=i: x + i for i in range(3)]
adders = make_adders()
print([f(10) for f in adders])
def compose(f, g):
    return lambda x: f(g(x))
inc_then_double = compose(lambda x: x * 2, lambda x: x + 1)
print(inc_then_double(5))
def counter():
    state = {"n": 0}
    def tick():
        state["n"] += 1
        return state["n"]
    return tick
t = counter()
t(); t()
print(t())
def late():
    fs = []
    for i in range(3):
        def f():
            return i
        fs.append(f)
    return [g() for g in fs]
print(late())
final_return_value = t()
