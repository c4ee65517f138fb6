words = ["pear", "fig", "banana", "kiwi"]
print(min(words), max(words), min(words, key=len), max(words, key=len))
print(min(3, 1, 2), max(3, 1, 2), max([1, 5, 5, 2]), min("zebra"))
print(min([], default=None), max([], default=-1), max([4], default=0))
print(max(words, key=lambda w: w[-1]), min([(2, "b"), (1, "z"), (1, "a")]))
print(max({"a": 3, "b": 1}), max({"a": 3, "b": 1}, key=lambda k: {"a": 3, "b": 1}[k]))
print(min(2.5, 2), max(True, 0), max([-1, -2], key=abs), min(["bb", "aa"], key=len))
try:
    max([])
except ValueError as e:
    print("ValueError")
try:
    min(1, "a")
except TypeError as e:
    print("TypeError")
final_return_value = max(words, key=len)
