class Rec(BaseModel):
    a: int
r = Rec(1)
print(r.a)
final_return_value = r.a
print(r.b)
