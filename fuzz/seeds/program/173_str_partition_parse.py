headers = "Content-Type: text/html\nX-Count: 3\nBadLine\nEmpty:"
parsed = {}
for line in headers.splitlines():
    key, sep, value = line.partition(":")
    if not sep:
        print("skip", repr(key))
        continue
    parsed[key.strip().lower()] = value.strip()
print(parsed)
url = "https://example.com/a/b?x=1&y=two"
scheme, _, rest = url.partition("://")
host, _, path = rest.partition("/")
path, _, query = path.partition("?")
print(scheme, host, path, dict(kv.split("=") for kv in query.split("&")))
print("a.b.c".rpartition("."), "abc".rpartition("."), "k=v=w".partition("="))
final_return_value = parsed
