import json
obj = {"ints": [1, -2, 0], "floats": [1.0, 2.5, -0.125, 1e-5], "bools": [True, False], "none": None, "empty": {"l": [], "d": {}}, "unicode": "naïve ✓", "num_keys": {"1": "a"}}
s = json.dumps(obj)
print(s)
back = json.loads(s)
print(back == obj, back["floats"], type(back["ints"][0]) == int, back["unicode"])
print(json.dumps({1: "int key", 2.5: "float key", True: "bool", None: "null"}))
print(json.dumps(["a", "b"], indent=0), json.dumps({"a": [1, {"b": None}]}, indent="  "))
print(json.loads('"\\ud83d\\ude00"'), json.loads("[1.0, 2, 3e2]"), json.loads('{"a": {"b": [{"c": 1}]}}')["a"]["b"][0]["c"])
final_return_value = back
