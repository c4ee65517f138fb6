for e in [KeyError("a"), KeyError(1), KeyError("a", "b"), ValueError(""), ValueError([1]), RuntimeError("x\ny"), IndexError()]:
    print(str(e) + "|", repr(e))
try:
    raise ValueError("bad value: %d" % 3)
except Exception as e:
    msg = f"{type(e) == ValueError} {e} {e!r}"
print(msg)
final_return_value = str(KeyError("k"))
