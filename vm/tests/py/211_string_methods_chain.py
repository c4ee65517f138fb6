s = "  Hello, World! Hello?  "
out = [
    s.strip().lower().replace("hello", "bye"),
    s.split(","),
    s.strip().rstrip("?!").split(),
    "-".join(reversed(s.split())),
    s.count("Hello"),
    s.find("World"), s.rfind("Hello"), s.index("W"),
    s.strip().startswith(("Hi", "He")), s.endswith("  "),
    "a,b,,c".split(","), "a b  c".split(" "), "a b  c".split(), "x".split("x"),
    "line1\nline2\r\nline3".splitlines(), "abc".center(9, "*"), "ab".ljust(5, "."),
    "Tab\there".expandtabs(4), "mississippi".rsplit("s", 2), "key=val=x".partition("="),
    "key=val=x".rpartition("="), "Title case words".title(), "SwApCaSe".swapcase(),
    "hello world".capitalize(), "  x ".lstrip(), "42".zfill(5), "-42".zfill(5),
    "ab12".isalnum(), "abc".isalpha(), "123".isdigit(), "   ".isspace(), "Hi There".istitle(),
    "abc".upper().isupper(), "prefix_name".removeprefix("prefix_"), "file.txt".removesuffix(".txt"),
]
print(out)
final_return_value = out
