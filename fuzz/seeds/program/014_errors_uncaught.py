d = {"a": 1}
print("before")
x = d["b"]
print("after")
