s = "Hello, World"
print(s.lower(), s.upper(), s.swapcase(), s.title(), "abc def".capitalize())
print(s[0], s[-1], s[1:5], s[::-1], s[::2], s[-3:], s[:100])
print(s.split(","), "a  b c".split(), "a,b,,c".split(","), "a b c d".split(" ", 2), "a b c".rsplit(" ", 1))
print(" x ".strip(), "xxhixx".strip("x"), "  y".lstrip(), "z  ".rstrip() + "|")
print(s.replace("l", "L"), s.replace("l", "L", 1), s.find("o"), s.rfind("o"), s.find("zz"), s.count("l"))
print(s.startswith("Hell"), s.endswith(("x", "ld")), "-".join(["a", "b", "c"]), len(s))
print("42".isdigit(), "abc".isalpha(), "a1".isalnum(), "  ".isspace(), "Ab".istitle())
print("ab".center(7, "*"), "ab".ljust(5) + "|", "ab".rjust(5), "42".zfill(5), "-42".zfill(6))
print("a=b=c".partition("="), "a=b=c".rpartition("="), "prefix_x".removeprefix("prefix_"))
print("line1\nline2\r\nline3".splitlines(), "é" * 3, "ab" + "cd")
final_return_value = {"words": s.split(", "), "n": s.index("W")}
