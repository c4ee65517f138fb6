s = "the quick brown fox jumps over the lazy dog"
print(s.startswith("the"), s.startswith(("a", "the")), s.startswith("quick", 4), s.endswith("dog"))
print(s.endswith(("cat", "dog")), s.endswith("lazy", 0, 39), s.startswith("q", 4, 5))
print(s.find("the"), s.find("the", 1), s.find("zzz"), s.rfind("the"), s.rfind("o", 0, 20))
print(s.index("fox"), s.rindex("o"), s.count("o"), s.count("the", 5), s.count(""))
print(s.partition(" "), s.rpartition(" "), s.partition("zzz"), s.rpartition("zzz"))
print("a.b.c".rsplit(".", 1), "a.b.c".split(".", 1), "a  b   c".split(" "), "a  b   c".rsplit(None, 1))
print("line1\nline2\r\nline3\n".splitlines(), "x\ny\n".splitlines(True), "".splitlines())
print("prefix_name".removeprefix("prefix_"), "name.txt".removesuffix(".txt"), "abc".removeprefix("z"))
try:
    s.index("cat")
except ValueError as e:
    print("ValueError", e)
final_return_value = s.split()[::2]
