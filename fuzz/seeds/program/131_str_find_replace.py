s = "banana bandana"
print(s.find("an"), s.find("an", 2), s.find("an", 2, 3), s.rfind("an"), s.rfind("an", 0, 5), s.find(""), s.rfind(""))
print(s.count("an"), s.count("an", 0, 6), s.count("a", -4), s.replace("an", "AN"), s.replace("an", "", 1))
print(s.startswith("ban", 7), s.endswith("ana", 0, 6), s.index("d"), s.rindex("b"))
print(s.upper().lower() == s, s.split("an"), s.rsplit("an", 1), s.partition("an"), s.rpartition("an"))
try:
    s.rindex("zz")
except ValueError as e:
    print("ValueError", e)
final_return_value = [s.find("na", i) for i in range(0, 14, 3)]
