words = ["hello world", "HELLO", "Hello World", "hello_World 42", "", "straße"]
for w in words:
    print(repr(w), w.capitalize(), w.title(), w.upper(), w.lower(), w.swapcase(), w.casefold())
    print(w.isupper(), w.islower(), w.istitle(), w.isalpha(), w.isalnum(), w.isspace())
print("ABC".isascii(), "é".isascii(), "".isascii())
final_return_value = [w.title() for w in words]
