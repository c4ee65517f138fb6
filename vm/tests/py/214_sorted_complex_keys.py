people = [
    {"name": "ann", "age": 30, "city": "b"},
    {"name": "bob", "age": 25, "city": "a"},
    {"name": "cy", "age": 30, "city": "a"},
    {"name": "dee", "age": 25, "city": "b"},
]
by_age_name = sorted(people, key=lambda p: (p["age"], p["name"]))
by_city_desc_age = sorted(people, key=lambda p: (p["city"], -p["age"]))
names_rev = sorted((p["name"] for p in people), reverse=True)
stable = sorted(people, key=lambda p: p["age"], reverse=True)
mixed = sorted([3, 1.5, 2, -1, 0.0])
strs = sorted(["b", "A", "a", "B", "_", "1"])
tuples = sorted([(1, "b"), (0, "z"), (1, "a")])
people.sort(key=lambda p: len(p["name"]))
print([p["name"] for p in by_age_name])
final_return_value = [[p["name"] for p in by_age_name], [p["name"] for p in by_city_desc_age],
                      names_rev, [p["name"] for p in stable], mixed, strs, tuples,
                      [p["name"] for p in people]]
