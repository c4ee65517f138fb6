import json
data = {"name": "Ada", "langs": ["en", "fr"], "age": 36, "ok": True, "none": None, "pi": 3.5}
s = json.dumps(data)
print(s)
print(json.dumps(data, indent=2))
print(json.dumps(data, sort_keys=True, separators=(",", ":")))
print(json.dumps("héllo"), json.dumps("héllo", ensure_ascii=False), json.dumps([1, (2, 3)]))
back = json.loads(s)
print(back == data, back["langs"][1], json.loads("[1, 2.5, \"x\", null, {\"a\": {}}]"))
try:
    json.loads("{bad")
except json.JSONDecodeError:
    print("decode error")
except ValueError:
    print("value error")
final_return_value = back
