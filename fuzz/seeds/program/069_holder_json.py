import json
class Address(BaseModel):
    city: str
    zip: str = "00000"
class Person(BaseModel):
    name: str
    address: Address
    tags: list = None
p = Person("Ann", Address("Oslo"))
print(p.address.city, p.address.zip, p.tags, p == Person("Ann", Address("Oslo")), p.address)
people = [p, Person(name="Bob", address=Address(city="Rome", zip="00100"), tags=["x"])]
print([x.name for x in people if x.address.city.startswith("R")])
final_return_value = people[1]
