print("hello".capitalize(), "HELLO wORLD".capitalize(), "123abc".capitalize(), "".capitalize())
print("they're bill's friends".title(), "hello-world_foo bar".title(), "a1b2".title())
print("Hello".swapcase(), "ÀÉ".lower(), "àé".upper(), "ǆ".upper())
print("abc".center(2), "abc".ljust(2), "x".rjust(3, "é"), "a\tb".expandtabs(3))
print("  x  ".lstrip(), "  x  ".rstrip() + "|", "www.example.com".strip("cmowz."), "x".strip(""))
print("a" < "b", "Z" < "a", "abc".upper().isupper(), "Abc Def".istitle(), "ABC".isalpha(), "a1".isalnum())
final_return_value = [s.title() for s in ["one two", "THREE"]]
