s = {1, 2, 3, 4}
s.intersection_update([2, 3, 9], (3, 2))
print(sorted(s))
s.difference_update([3])
print(sorted(s))
s.symmetric_difference_update({2, 7})
print(sorted(s))
s.update({8}, [9, 9])
print(sorted(s), len(s))
t = {"a", "b"}
t.symmetric_difference_update("bc")
print(sorted(t))
final_return_value = sorted(s)
try:
    set().pop()
except KeyError as e:
    print("KeyError", e, e.args)
