def f():
    if False:
        y = 1
    return y
final_return_value = f()
