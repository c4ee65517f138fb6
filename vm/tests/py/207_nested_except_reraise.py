trace = []
def risky(n):
    if n % 2:
        raise KeyError(n)
    return n

def wrapper(n):
    try:
        return risky(n)
    except KeyError:
        trace.append("inner %d" % n)
        raise

for n in range(4):
    try:
        trace.append(wrapper(n))
    except LookupError as e:
        trace.append("outer " + repr(e))
try:
    try:
        1 / 0
    except ZeroDivisionError as e:
        raise ValueError("wrapped") from e
except ValueError as e:
    trace.append(str(e))
    trace.append(isinstance(e, ValueError))
print(trace)
final_return_value = trace
