s = "tab\tnew\nquote\"single'back\\slash"
print(s)
print(repr(s), len(s), "\x41\u00e9\U0001F600", r"\d+\s", 'it\'s', "a" "b" 'c')
print("""multi
line""", '''x''' + "y")
print(repr("\x00\x1f\x7f"), repr("é"), ascii("é") if False else 0, "\N{BULLET}" if False else "•")
print(f"{'a'}{'b'!r}{'\\n' if False else ''}" if False else f"{'a'}{'b'!r}")
final_return_value = [s, "\u00e9"]
