recs = [("b", 2), ("a", 2), ("c", 1), ("d", 3), ("e", 1)]
print(sorted(recs, key=lambda r: r[1]))
print(sorted(recs, key=lambda r: r[1], reverse=True))
print(sorted(recs, key=lambda r: -r[1]))
recs.sort(key=lambda r: r[0], reverse=True)
print(recs, min(recs, key=lambda r: r[1]), max(recs, key=lambda r: r[1]))
words = ["Banana", "apple", "cherry", "Apple"]
print(sorted(words), sorted(words, key=str.lower), sorted(words, key=len, reverse=True))
print(sorted([3.5, 1, 2.25, -1]), sorted([True, False, 2]), sorted("cba"), sorted([(1, "b"), (1, "a")]))
final_return_value = sorted(words, key=str.lower)
