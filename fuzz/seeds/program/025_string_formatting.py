rows = [("apple", 3, 1.5), ("banana", 12, 0.25), ("kiwi", 100, 10.0)]
for name, qty, price in rows:
    print(f"{name:<10}|{qty:>5}|{price:>8.2f}|{qty * price:>10,.1f}")
print("=" * 20)
print("{:^20}".format("centered"))
print("{0:>8} {0:<8}|".format("ab"))
print("%-6s|%6.1f|%03d" % ("x", 3.14159, 7))
total = sum(q * p for _, q, p in rows)
print(f"Total: {total:.2f} ({len(rows)} items)")
print(f"{3:+d} {-3:+d} {3: d} {1e-5:.2e} {123456789:e} {0.5:%}")
print(f"{'abc':.2} {12345.6789:.3g} {12:#b} {255:#o} {1/3:.10f}")
final_return_value = f"{total:.1f}"
