csv = "name,age,,city"
print(csv.split(","), csv.split(",", 2), csv.rsplit(",", 2), csv.split(",", 0), csv.split(",", -1))
print("  a b  c ".split(), "  a b  c ".split(None, 1), "  a b  c ".rsplit(None, 1), "a b".split(" ", 5))
print("aXbXc".split("X"), "aXXb".split("XX"), "".split("x"), "x".split("x"), "abc".split("abc"))
print("|".join(["a", "b"]), "".join([]), ", ".join(map(str, [1, 2, 3])), "-".join("xyz"))
print("1\n2\r3\r\n4".splitlines(), "\n".join(["l1", "l2"]).split("\n"))
try:
    "a".split("")
except ValueError as e:
    print("ValueError", e)
try:
    ",".join([1, 2])
except TypeError as e:
    print("TypeError")
final_return_value = "a=1;b=2".split(";")
