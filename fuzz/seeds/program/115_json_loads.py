import json
s = '{"name": "x", "n": 3, "f": 1.5, "e": 1e3, "list": [true, false, null], "nested": {"k": "\\u00e9\\n"}}'
d = json.loads(s)
print(d, d["nested"]["k"])
print(json.loads("[]"), json.loads("  42 "), json.loads('"str"'), json.loads("-0.5"), json.loads("null"))
print(json.loads('{"a": 1, "a": 2}'), json.loads("[1, [2, [3]]]")[1][1][0])
for bad in ["{", "[1,]", "{'a': 1}", "", "nul", "[1] x"]:
    try:
        json.loads(bad)
        print("parsed", bad)
    except json.JSONDecodeError:
        print("JSONDecodeError", repr(bad))
try:
    json.loads("{")
except ValueError:
    print("is ValueError")
final_return_value = json.loads(json.dumps(d))
