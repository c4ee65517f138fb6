data = [("Name", "Score"), ("alice", 93.5), ("bob", 7.25), ("christina", 100.0)]
for n, s in data:
    s = s if isinstance(s, str) else f"{s:.1f}"
    print(n.ljust(10, ".") + s.rjust(7), "|", n.center(11, "~"), "|", n.upper().zfill(9))
final_return_value = [n.rjust(6) for n, _ in data[1:]]
