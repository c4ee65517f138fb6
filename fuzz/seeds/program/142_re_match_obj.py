import re
m = re.match(r"(\w+)@(\w+)\.(com|org)", "alice@example.org rest")
print(m.group(0), m.group(1, 2), m.groups(), m[3], m.start(2), m.end(2), m.span(), m.span(3))
m2 = re.search(r"(a)(b)?", "xac")
print(m2.groups(), m2.group(2), m2.start(2), m2.groups("-"))
m3 = re.search(r"(?P<k>\w+)=(?P<v>\w*)", "  key= ")
print(m3.groupdict(), m3["k"], m3.group("v") == "", m3.span("k"))
found = [(m.group(1), m.start()) for m in re.finditer(r"(\d+)", "a1b22c333")]
print(found, re.findall(r"\d", ""), re.search("x", "abc"))
final_return_value = [m.group(1) for m in re.finditer(r"#(\w+)", "#tag1 text #tag2")]
