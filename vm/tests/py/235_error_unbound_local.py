def f(flag):
    if flag:
        x = 1
    return x
print(f(True))
final_return_value = f(True)
f(False)
