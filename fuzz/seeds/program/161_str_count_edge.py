print("".count(""), "abc".count(""), "aaaa".count("aa"), "abab".count("ab", 1), "abab".count("ab", -2))
print("abc".find("", 3), "abc".find("", 4), "abc".rfind("", 1), "abc".index("", 2), "abc".find("", 2, 1), "abc".count("", 4), "abc".count("", 2, 1), "abc".rfind("", 5), "abc".find("c", 2, 1))
print("a".startswith(""), "".endswith(""), "abc".startswith("abcd"), "abc".endswith("bc", -2))
print("abc".replace("", "."), "".replace("", "x"), "aaa".replace("a", "b", 0), "aaa".replace("a", "b", -1))
final_return_value = ["x".join(""), "x".join("a"), "".join(["", ""])]
