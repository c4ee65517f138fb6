orders = [
    {"id": 1, "customer": "ann", "total": 30.0, "items": ["a", "b"]},
    {"id": 2, "customer": "bob", "total": 12.5, "items": ["c"]},
    {"id": 3, "customer": "ann", "total": 7.5, "items": []},
]
by_customer = {}
for o in orders:
    by_customer.setdefault(o["customer"], []).append(o["id"])
print(by_customer)
spend = {}
for o in orders:
    spend[o["customer"]] = spend.get(o["customer"], 0) + o["total"]
print(spend, max(spend, key=spend.get), sorted(spend.items(), key=lambda kv: kv[1]))
print([o["id"] for o in orders if o["items"]], sum(len(o["items"]) for o in orders))
summary = {k: {"orders": len(v), "spent": spend[k]} for k, v in by_customer.items()}
print(summary)
nested = {"a": {"b": {"c": 1}}}
print(nested["a"]["b"]["c"], nested.get("x", {}).get("y"), "b" in nested["a"])
final_return_value = summary
