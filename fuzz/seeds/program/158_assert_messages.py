def check(x):
    try:
        assert x > 0, f"x must be positive, got {x}"
        assert isinstance(x, int)
        return "ok"
    except AssertionError as e:
        return "AssertionError: " + str(e) + "|" + repr(e.args)
print(check(1), check(-1), check(1.5))
assert [1, 2] == [1, 2]
print("passed")
assert not "", "empty"
assert 1 == 2, ("tuple", "msg")
