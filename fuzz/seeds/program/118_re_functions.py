import re
text = "Order 12 shipped to Bob on 2024-01-15; order 7 to Alice on 2024-02-01."
print(re.findall(r"\d{4}-\d{2}-\d{2}", text), re.findall(r"(\w+) on (\d+)", text))
m = re.search(r"(?P<who>[A-Z][a-z]+) on (?P<when>[\d-]+)", text)
print(m.group(), m.group(1), m.group("when"), m.groups(), m.groupdict(), m.start(), m.end(), m.span(2), m[0])
print(re.match(r"Order", text) is not None, re.match(r"order", text), re.match(r"order", text, re.I).group())
print(re.fullmatch(r"\d+", "123") is not None, re.fullmatch(r"\d+", "123a"))
print(re.split(r"[;,.]\s*", "a; b,c.d"), re.split(r"(\d)", "a1b2c"), re.split(r"\s+", " x  y ", maxsplit=1))
print(re.sub(r"(\d+)", r"<\1>", text), re.sub(r"\s+", " ", "a   b \n c"), re.subn("o", "0", "foo boo"))
print(re.sub(r"(?P<y>\d{4})-(\d\d)", r"\2/\g<y>", "2024-01"), re.sub("a", lambda m: m.group().upper(), "banana", count=2))
print(re.escape("a.b*c"), [m.group() for m in re.finditer(r"[A-Z]\w+", text)], [m.span() for m in re.finditer("o", "foo")])
p = re.compile(r"^\s*(\w+)\s*=\s*(.*?)\s*$", re.M)
print(p.findall("a = 1\n b=two \nc =  3"), p.pattern, bool(p.search("x=1")))
final_return_value = re.findall(r"[a-z]+", "Hello World foo")
