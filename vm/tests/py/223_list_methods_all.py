l = [5, 3, 8]
l.append(1)
l.extend((9, 0))
l.insert(0, 7)
l.insert(100, 4)
l.insert(-1, 6)
removed = l.pop()
first = l.pop(0)
l.remove(8)
idx = l.index(9)
cnt = [1, 1, 2].count(1)
l2 = l.copy()
l2.reverse()
l.sort()
l3 = l + l2
l3.clear()
try:
    l.remove(42)
except ValueError:
    missing = True
print(l, l2, removed, first, idx, cnt, l3, missing)
final_return_value = [l, l2, removed, first, idx, cnt, l3, missing, [1, 2] * 2, [0] * 0]
