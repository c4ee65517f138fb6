import json
payload = json.loads('{"users": [{"name": "a", "age": 30}, {"name": "b", "age": null}], "count": 2, "ratio": 0.5, "big": 12345678901}')
ages = [u["age"] for u in payload["users"] if u["age"] is not None]
print(ages, payload["count"], payload["ratio"], payload["big"], type(payload["ratio"]) == float)
print(json.dumps(payload["users"][0]), json.dumps([]), json.dumps({}), json.dumps(None), json.dumps(1.0))
print(json.dumps({"a": [1, {"b": None}]}, indent=4))
print(json.dumps({"z": 1, "a": 2}, sort_keys=True, indent=1))
print(json.dumps("quote\"and\\slash\n"), json.dumps(["é", "😀"]), json.dumps({1: "int key", True: "b"}))
final_return_value = json.loads(json.dumps(payload))
