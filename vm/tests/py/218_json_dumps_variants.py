import json
data = {"name": "Zoë", "n": [1, 2.0, -3.5, None, True], "nested": {"b": {}, "a": []}, "q": "quote\"s\\"}
out = [
    json.dumps(data),
    json.dumps(data, ensure_ascii=False),
    json.dumps(data, sort_keys=True, indent=2),
    json.dumps(data, separators=(",", ":")),
    json.dumps([1, [2, [3]]], indent=1),
    json.dumps("tab\tnew\nline"),
    json.dumps(1e20), json.dumps(0.1), json.dumps(-0.0), json.dumps(10 ** 15),
    json.dumps((1, 2)),
]
back = json.loads(out[2])
print(out[0])
final_return_value = [out, back == data, json.loads('{"a": [1, 2, {"b": null}], "c": 1.5e3}')]
