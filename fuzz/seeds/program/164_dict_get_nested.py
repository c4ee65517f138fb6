resp = {"data": {"user": {"name": "Ann", "roles": ["admin", "dev"]}, "meta": None}}
print(resp.get("data", {}).get("user", {}).get("name"), resp["data"].get("meta") or "no meta")
print(resp.get("missing", {}).get("x", "fallback"), "roles" in resp["data"]["user"], len(resp["data"]["user"]["roles"]))
path = ["data", "user", "roles", 1]
cur = resp
for p in path:
    cur = cur[p]
print(cur)
try:
    resp["data"]["meta"]["x"]
except TypeError:
    print("TypeError")
final_return_value = resp["data"]["user"]
