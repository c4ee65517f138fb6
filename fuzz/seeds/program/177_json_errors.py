import json
def safe(s):
    try:
        return json.loads(s)
    except json.JSONDecodeError as e:
        return "bad"
print([safe(s) for s in ['{"a": 1}', "{a: 1}", "[1, 2", "true", "True", '"unterminated', "1e5", "0"]])
try:
    json.dumps({"f": lambda: 0})
except TypeError:
    print("TypeError")
print(json.dumps({"nested": {"list": [1, {"deep": [None]}]}}, indent=2, sort_keys=True))
final_return_value = safe('{"ok": [1, 2.5, "x"]}')
