import json
data = {"b": [1, 2.5, None, True], "a": {"z": "é", "y": []}, "c": "q\"uote\n"}
print(json.dumps(data))
print(json.dumps(data, sort_keys=True))
print(json.dumps(data, indent=2))
print(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False))
print(json.dumps(data, separators=(",", ":")))
print(json.dumps([1, [2, [3, {}]]], indent=1), json.dumps({}, indent=2), json.dumps([], indent=2))
print(json.dumps("snow ☃"), json.dumps("snow ☃", ensure_ascii=False), json.dumps(1e100), json.dumps(-0.0))
print(json.dumps((1, 2)), json.dumps({"k": (1,)}), json.dumps(3), json.dumps(None), json.dumps("x"))
final_return_value = json.dumps(data, sort_keys=True, separators=(", ", ": "))
