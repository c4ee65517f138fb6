import re
text = "First line\nsecond LINE\nthird line"
print(re.findall(r"^\w+", text), re.findall(r"^\w+", text, re.M), re.findall(r"line$", text, re.M | re.I))
print(re.search(r"line.second", text), re.search(r"line.second", text, re.S).group() == "line\nsecond")
p = re.compile(r"""
    (\d+)   # number
    \s*
    ([a-z]+) # unit
""", re.X | re.I)
print(p.findall("10 KG, 5m and 7 sec"), p.sub(r"\2=\1", "3 kg"))
print(re.findall(r"(?i)abc", "ABC abc AbC"), re.split(r"\n", text), re.sub(r"(?m)^", "> ", text))
try:
    re.compile(r"(unclosed")
except re.error:
    print("re.error")
final_return_value = p.findall("1 a 2 b")
