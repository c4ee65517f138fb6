people = [("bob", 25), ("alice", 30), ("carol", 25), ("dave", 35), ("eve", 30)]
print(sorted(people, key=lambda p: p[1]))
print(sorted(people, key=lambda p: p[1], reverse=True))
print(sorted(people, key=lambda p: (-p[1], p[0])))
print(sorted(["banana", "Apple", "cherry"]), sorted(["banana", "Apple", "cherry"], key=str.lower))
print(sorted("hello"), sorted({3: "a", 1: "b"}), sorted([3, 1, 2], reverse=True))
print(sorted([-3, 2, -1], key=abs), sorted(["bb", "a", "ccc"], key=len, reverse=True))
print(sorted([[2, 1], [1, 2], [1]]), sorted([1.5, 1, True, 0]))
try:
    sorted([1, "a"])
except TypeError as e:
    print("TypeError", e)
final_return_value = [p[0] for p in sorted(people, key=lambda p: p[0], reverse=True)]
