class Item(BaseModel):
    name: str
    price: float
    qty: int = 1

class Order(BaseModel):
    id: int
    items: list
    note: str = ""

items = [Item("pen", 1.5, 4), Item(name="book", price=12.0), Item("cup", price=3.25, qty=2)]
o = Order(7, items)
total = sum(i.price * i.qty for i in o.items)
o.note = f"{len(o.items)} items"
cheap = [i.name for i in o.items if i.price < 5]
print(o.note, total, cheap, items[0])
final_return_value = [o, total, cheap, items[1] == Item("book", 12.0, 1), items[0] == items[1], repr(items[2])]
