for s in ["a", "abc", "abcdef"]:
    print(repr(s.center(6)), repr(s.center(7, "*")), repr(s.ljust(5, ".")), repr(s.rjust(5, "-")))
    print(repr(s.zfill(5)), repr(s.expandtabs()))
for s in ["42", "-42", "+7", "", "3.5"]:
    print(repr(s.zfill(6)))
print(repr("a\tb\tc".expandtabs()), repr("a\tbb\tc".expandtabs(4)), repr("\t".expandtabs(2)))
print(repr("xxhixx".strip("x")), repr("xxhixx".lstrip("x")), repr("xxhixx".rstrip("x")))
print(repr("abcba".strip("ab")), repr("  \n\t a \n".strip()), repr("..a..".rstrip(".")))
final_return_value = ["ab".center(5, "0"), "-5".zfill(4)]
