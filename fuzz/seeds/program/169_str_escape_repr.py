samples = ["plain", "tab\t", "nl\n", "quote'", 'dq"', "both'\"", "back\\slash", "\x00\x7f", "é", "😀"]
for s in samples:
    print(repr(s), len(s))
print(repr(samples), str(samples[:2]))
print("a\
b", "x" "y", """tri
ple""", r"\d+\n")
final_return_value = samples[:3]
