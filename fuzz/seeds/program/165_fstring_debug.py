a = 5
b = [1, 2]
name = "x"
print(f"{a=}", f"{b=}", f"{name=}", f"{a * 2=}", f"{a=:>4}", f"{name=!s}", f"{len(b) = }")
print(f"{a!r:>5}|{name!r:<6}|{3.5!s:^7}|")
final_return_value = f"{a + 1=}"
