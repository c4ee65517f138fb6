items = [("apple", 1.5, 3), ("banana", 0.25, 12), ("cherry", 10.0, 1)]
print(f"{'item':<10}{'price':>8}{'qty':>5}")
for name, price, qty in items:
    print(f"{name:<10}{price:>8.2f}{qty:>5d}")
total = sum(p * q for _, p, q in items)
print(f"{'total':<10}{total:>8.2f}")
d = {"k": [1, 2]}
print(f"{d['k'][1]} {len(d)} {d!r} {'yes' if total > 5 else 'no'}")
print(f"{3.0:g} {0.0001:g} {1e16:g} {123456789:g} {-0.0:g} {1.5:e}")
print(f"{12:>+6} {12:<+6}| {-12:^7}| {7:*^7} {'ab':_<5}")
print(f"{0.1 + 0.2} {0.1 + 0.2:.17f} {1/3:.5} {2/3:.2g}")
print(f"{True} {None} {[1, 'x']} {(1,)} {True:d} {False:>5}")
final_return_value = f"{total:,.1f}"
