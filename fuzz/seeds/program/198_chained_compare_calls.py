log = []
def v(x):
    log.append(x)
    return x
print(v(1) < v(2) <= v(2) < v(3), log)
log.clear()
print(v(3) > v(4) > v(0), log)
log.clear()
print(v(1) == v(1) != v(2) in [v(2)], log)
log.clear()
print(v(0) < v(5) < v(3) < v(9) < v(10), log)
final_return_value = log
