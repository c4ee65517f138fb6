import re
text = "2024-01-05: alice paid $12.50; 2024-02-11: bob paid $7; 2024-03-01: carol owes $100.00"
pat = re.compile(r"(\d{4})-(\d{2})-(\d{2}): (\w+) (paid|owes) \$(\d+(?:\.\d+)?)")
rows = [(m.group(4), m.group(5), float(m.group(6)), m.span()) for m in pat.finditer(text)]
out = [
    rows,
    pat.findall(text)[0],
    re.sub(r"(\w+)@(\w+)", r"\2 at \1", "me@home you@work"),
    re.subn(r"\s+", " ", "a   b \t c\n d"),
    re.split(r"[;,]\s*", "a, b;c ,d"),
    re.fullmatch(r"[a-z]+\d*", "abc123") is not None,
    re.match(r"\d+", "abc") is None,
    re.search(r"(?i)PAID", text).start(),
    re.escape("a.b*c"),
    re.findall(r"\b\w{3}\b", "the cat sat on a mat"),
    re.sub(r"\d+", lambda m: str(int(m.group(0)) * 2), "a1 b22 c333"),
    [m.groupdict() for m in re.finditer(r"(?P<k>\w+)=(?P<v>\d+)", "x=1 y=22")],
]
print(out)
final_return_value = out
