class Point(BaseModel):
    x: int
    y: int = 0

class Item(BaseModel):
    """An order item."""
    name: str
    qty: int = 1

p = Point(1, 2)
q = Point(x=1)
print(p, q, p.x + q.y, p == Point(1, 2), p == q)
p.y = 5
print(p, repr(Item("pen")), Item(name="ink", qty=3).qty)
items = [Item("a", 2), Item("b")]
print(sum(i.qty for i in items), sorted([i.name for i in items], reverse=True))
final_return_value = {"p": [p.x, p.y]}
