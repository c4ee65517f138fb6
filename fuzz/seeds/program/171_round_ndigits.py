for v in [2.675, 1.005, 0.125, 0.375, -1.25, 12345.6789, 0.5, 1e-10]:
    print(v, round(v, 2), round(v, 1), round(v, 0), round(v, -1))
for n in [15, 25, -15, 150, 1049, 1050]:
    print(n, round(n, -1), round(n, -2), round(n, 1), type(round(n, -1)) == int)
final_return_value = [round(x / 8, 2) for x in range(8)]
