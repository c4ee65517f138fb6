a = {1, 2, 3}
print(a | {3, 4} == {1, 2, 3, 4}, a & {2, 9} == {2}, a - {1} == {2, 3}, a ^ {3, 4} == {1, 2, 4})
b = set(a)
b |= {10}
b &= {1, 10}
print(sorted(b))
b -= {1}
b ^= {20}
print(sorted(b), len(b))
print({1, 2} <= {1, 2}, {1, 2} < {1, 2}, {1, 2, 3} > {1}, {1} >= {1, 2}, set() < {0})
print(1 in {1.0}, {1, 1.0, True} == {1}, len({"a", "a", "b"}), sorted({-1, 5, 0}))
final_return_value = sorted(a | {0})
