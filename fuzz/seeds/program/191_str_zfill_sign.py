for s in ["7", "-7", "+7", "-", "abc", "12345", ""]:
    print(repr(s.zfill(4)), repr(s.rjust(4, "0")), repr(s.center(5, "0")))
final_return_value = [str(n).zfill(3) for n in [-1, 5, 1000]]
