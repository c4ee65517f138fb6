for v in [0.0, 1.0, 0.5, 1.25, -2.5, 1e-4, 123456.789, 9.995, 1e21]:
    print(f"{v:.2f}|{v:.0f}|{v:e}|{v:.3e}|{v:g}|{v:.2g}|{v:10.3f}|{v:<10.1f}|{v:+.1f}")
print(f"{float('inf'):.2f} {float('-inf'):e} {float('nan'):f} {1.0:.0e} {0.00001234:.2g}")
final_return_value = [f"{x:.1f}" for x in [0.05, 0.15, 0.25, 0.35]]
