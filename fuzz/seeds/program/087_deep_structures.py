tree = {"v": 1, "kids": [{"v": 2, "kids": [{"v": 4, "kids": []}]}, {"v": 3, "kids": []}]}
def total(n):
    return n["v"] + sum(total(k) for k in n["kids"])
def depth(n):
    return 1 + max((depth(k) for k in n["kids"]), default=0)
def paths(n, prefix=()):
    here = prefix + (n["v"],)
    if not n["kids"]:
        return [here]
    out = []
    for k in n["kids"]:
        out.extend(paths(k, here))
    return out
print(total(tree), depth(tree), paths(tree))
stack = [tree]
order = []
while stack:
    node = stack.pop()
    order.append(node["v"])
    stack.extend(reversed(node["kids"]))
print(order)
final_return_value = paths(tree)
