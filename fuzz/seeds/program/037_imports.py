import json as j
from json import dumps, loads as L
print(j.dumps([1]), dumps({"a": 1}), L("[2]"))
final_return_value = L('{"x": 1}')["x"]
