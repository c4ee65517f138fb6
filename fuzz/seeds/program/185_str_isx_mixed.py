tests = ["Hello World", "hello world", "HELLO WORLD", "Hello world", "123", "hello123", "ABC123", "   ", "a b", "Ab Cd1 Ef"]
for t in tests:
    flags = [t.isupper(), t.islower(), t.istitle(), t.isalnum(), t.isalpha(), t.isdigit(), t.isspace()]
    print(f"{t!r:15}", "".join("T" if f else "." for f in flags))
final_return_value = [t for t in tests if t.istitle()]
