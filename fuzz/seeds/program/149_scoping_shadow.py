x = "global"
def read_global():
    return x
def shadow():
    x = "local"
    return x
def param(x="default"):
    return x
print(read_global(), shadow(), param(), param("arg"), x)
def uses_before_assign():
    try:
        print(y)
        y = 1
    except UnboundLocalError:
        return "UnboundLocalError"
    return "no error"
print(uses_before_assign())
total = 0
for i in range(3):
    total += i
print(i, total)
squares = [i * i for i in range(5)]
print(i, squares)
def counter():
    counts = {"n": 0}
    def bump():
        counts["n"] += 1
        return counts["n"]
    bump()
    bump()
    return counts["n"]
print(counter())
final_return_value = [read_global(), shadow()]
