print(sum(x for x in range(4)), max((len(w), w) for w in ["aa", "b"]), min(x % 3 for x in range(1, 7)))
print(sorted((x for x in [3, 1, 2]), reverse=True), ",".join(str(i) for i in range(3)), tuple(x for x in "ab"))
print(list(x * 2 for x in range(5)), set(c for c in "aab") == {"a", "b"}, dict((k, len(k)) for k in ["x", "yy"]))
final_return_value = list(x * x for x in range(4))
