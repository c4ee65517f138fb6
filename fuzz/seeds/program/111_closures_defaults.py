def make_counter(start=0, step=1):
    state = [start]
    def nxt():
        state[0] += step
        return state[0]
    return nxt
c1 = make_counter()
c2 = make_counter(10, step=5)
print(c1(), c1(), c2(), c1(), c2())
adders = [lambda x, n=n: x + n for n in range(3)]
print([f(10) for f in adders])
def append_to(item, target=None):
    if target is None:
        target = []
    target.append(item)
    return target
print(append_to(1), append_to(2), append_to(3, [0]))
def shared(item, acc=[]):
    acc.append(item)
    return acc
print(shared(1), shared(2))
def outer(x):
    def middle(y):
        def inner(z):
            return x + y + z
        return inner
    return middle
print(outer(1)(2)(3))
final_return_value = [c1(), c2()]
