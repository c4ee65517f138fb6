class Point(BaseModel):
    x: int
    y: int = 0
class Order(BaseModel):
    """An order."""
    id: str
    qty: int = 1
    note: str = ""
p = Point(1, 2)
q = Point(x=1)
print(p, q, p == Point(1, 2), p == q, p.x + p.y)
q.y = 5
print(q, q.y)
o = Order("A1")
o2 = Order(id="B2", qty=3, note="rush")
print(o, o2, o.qty * o2.qty, o == Order("A1"))
orders = [Order("c", 2), Order("a", 5), Order("b", 1)]
print([x.id for x in sorted(orders, key=lambda o: o.qty)])
print(isinstance(p, Point), isinstance(o, Point), [p, q])
try:
    Point()
except TypeError:
    print("TypeError missing")
final_return_value = {"point": p, "orders": orders}
