def risky(n):
    if n == 0:
        raise ZeroDivisionError("zero")
    if n < 0:
        raise ValueError("negative")
    return 10 // n
results = []
for n in [2, 0, -1, 5]:
    try:
        try:
            results.append(risky(n))
        except ValueError as e:
            results.append("inner " + str(e))
            raise
        finally:
            results.append("f")
    except (ZeroDivisionError, ValueError) as e:
        results.append("outer " + str(e))
print(results)
def swallow():
    try:
        raise KeyError("x")
    except LookupError as e:
        return "caught " + repr(e)
print(swallow())
try:
    try:
        raise ValueError("first")
    except ValueError:
        raise TypeError("second")
except TypeError as e:
    print("got", e)
final_return_value = results
