import json
class Item(BaseModel):
    name: str
    price: float
    tags: list = None
items = [Item("pen", 1.5, ["office"]), Item("cup", 4.0)]
print(items[0], items[1].tags, items[0] == Item("pen", 1.5, ["office"]))
payload = [{"name": i.name, "price": i.price, "tags": i.tags} for i in items]
text = json.dumps(payload, sort_keys=True)
print(text)
back = json.loads(text)
rebuilt = [Item(d["name"], d["price"], d["tags"]) for d in back]
print(rebuilt == items, rebuilt[1])
final_return_value = items
