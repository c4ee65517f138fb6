out = [", ".join(["a", "b"]), "".join([]), "-".join("abc"), "+".join(str(i) for i in range(4)),
       " ".join(k for k in {"x": 1, "y": 2})]
try:
    ",".join([1, 2])
except TypeError:
    out.append("join needs str")
try:
    "a" + 1
except TypeError:
    out.append("str + int")
try:
    [1] + (2,)
except TypeError:
    out.append("list + tuple")
try:
    len(5)
except TypeError:
    out.append("len int")
try:
    {}[[1]] = 2
except TypeError:
    out.append("unhashable")
print(out)
final_return_value = out
