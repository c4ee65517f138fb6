import re
def repl(m):
    n = int(m.group(1))
    return str(n * 2)
print(re.sub(r"(\d+)", repl, "a1 b22 c333"))
print(re.sub(r"\b(\w)(\w*)", lambda m: m.group(1).upper() + m.group(2), "hello big world"))
print(re.subn(r"\s+", "_", " a  b c "), re.sub(r"x*", "-", "abc"), re.sub(r"(a)|b", r"[\1]", "ab"))
print(re.sub(r"(?P<d>\d)", r"<\g<d>\g<0>>", "x1y2"), re.sub("A", "b", "AaA", flags=re.I))
print(re.split(r",", "a,,b,"), re.findall(r"a|b|c", "cab"), re.findall(r"(a)(b)?", "aab"))
final_return_value = re.sub(r"[aeiou]", "*", "education")
