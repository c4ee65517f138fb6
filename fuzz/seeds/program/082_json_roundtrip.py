import json
cases = [{"a": [1, 2, {"b": None}]}, [1.5, -2, "x\ny", True], "plain", 42, None, {"nested": {"deep": {"deeper": [[]]}}}]
for c in cases:
    s = json.dumps(c)
    print(s, json.loads(s) == c)
print(json.dumps({"a": 1, "b": [1, 2]}, indent=2, sort_keys=True))
print(json.dumps([{"k": "v"}], separators=(",", ":")), json.dumps({"é": "ü"}), json.dumps({"é": "ü"}, ensure_ascii=False))
print(json.loads("  [1,  2 ] "), json.loads('"\\u00e9"'), json.loads("1e2"), json.loads("-1"), json.loads("true"))
final_return_value = json.loads(json.dumps(cases))
