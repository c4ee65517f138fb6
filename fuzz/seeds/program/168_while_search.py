data = [2, 7, 11, 15, 20, 31]
target = 26
lo, hi = 0, len(data) - 1
found = None
steps = 0
while lo < hi:
    steps += 1
    s = data[lo] + data[hi]
    if s == target:
        found = (data[lo], data[hi])
        break
    elif s < target:
        lo += 1
    else:
        hi -= 1
print(found, steps)
def bsearch(a, x):
    lo, hi = 0, len(a)
    while lo < hi:
        mid = (lo + hi) // 2
        if a[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo
print([bsearch(data, x) for x in [0, 2, 12, 31, 99]])
final_return_value = found
