inventory = {
    "fruits": [{"name": "apple", "qty": 5, "tags": ["red", "sweet"]}, {"name": "lime", "qty": 0, "tags": ["green"]}],
    "veg": [{"name": "kale", "qty": 2, "tags": []}],
}
in_stock = {cat: [i["name"] for i in items if i["qty"] > 0] for cat, items in inventory.items()}
all_tags = sorted({t for items in inventory.values() for i in items for t in i["tags"]})
totals = {cat: sum(i["qty"] for i in items) for cat, items in inventory.items()}
print(in_stock, all_tags, totals)
inventory["veg"].append({"name": "leek", "qty": 7, "tags": ["long"]})
inventory["fruits"][1]["qty"] += 3
print(max((i for items in inventory.values() for i in items), key=lambda i: i["qty"])["name"])
print([i["name"] for i in sorted(inventory["fruits"] + inventory["veg"], key=lambda x: (-x["qty"], x["name"]))])
final_return_value = {"in_stock": in_stock, "tags": all_tags, "totals": totals}
