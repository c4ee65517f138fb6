import re
text = "Order #123 shipped to ann@x.com on 2024-01-15; order #45 to bo@y.org"
print(re.findall(r"#(\d+)", text), re.findall(r"[\w.]+@[\w.]+", text))
m = re.search(r"(?P<y>\d{4})-(?P<m>\d\d)-(?P<d>\d\d)", text)
print(m.group(), m.group(1), m.group("m"), m.groups(), m.groupdict(), m.start(), m.end(), m.span(), m[3])
print(re.match(r"Order", text) is not None, re.match(r"#", text), re.fullmatch(r"\w+", "abc") is not None)
print(re.sub(r"\d+", "N", text), re.sub(r"(\w+)@(\w+)", r"\2 at \1", "ann@x"), re.subn(r"o", "0", "foo boo"))
print(re.split(r"[;,]\s*", "a, b;c"), re.split(r"(-)", "a-b-c"), re.split(r"\s+", "a b  c", maxsplit=1))
p = re.compile(r"\b(\w)(\w*)\b", re.I)
print(p.sub(lambda mm: mm.group(1).upper() + mm.group(2), "hello big world"), p.pattern)
print([x.group() for x in re.finditer(r"o\w", "foo bar boz")], re.escape("a.b*c"), re.findall(r"(a)(b)?", "ab a"))
print(re.search(r"^b", "a\nb", re.M) is not None, re.search(r"a.b", "a\nb", re.S) is not None, re.findall(r"A", "aA", flags=re.IGNORECASE))
try:
    re.compile(r"(a")
except re.error:
    print("bad pattern")
final_return_value = re.findall(r"\d+", text)
