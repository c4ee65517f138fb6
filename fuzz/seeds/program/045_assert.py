x = 5
assert x > 3, "fine"
print("passed")
assert x > 10, f"x too small: {x}"
