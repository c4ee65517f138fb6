for a in [-7, -6, -1, 0, 1, 6, 7]:
    row = []
    for b in [-3, -2, 2, 3]:
        row.append(f"{a // b:>3}{a % b:>3}")
    print(f"{a:>3}:", " ".join(row))
print([divmod(x, 3) for x in [-4, -3, 4]], [divmod(x, -2.5) for x in [7, -7]])
print(-7.0 // 0.5, 7.5 % -2, -0.0 % 5, 0.0 % -5, 6.0 % -3, -6.0 % 3, 5 % -5, divmod(-0.0, 5))
final_return_value = [(-9) // 4, (-9) % 4, 9 // -4, 9 % -4]
