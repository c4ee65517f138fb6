inventory = {"apple": 3, "pear": 0, "fig": 7}
for k in inventory:
    print(k, inventory[k])
for k, v in inventory.items():
    if v:
        print(f"{k:<6}{v:>3}")
print(sorted(inventory, key=inventory.get), max(inventory, key=inventory.get))
counts = {}
for ch in "mississippi":
    counts[ch] = counts.get(ch, 0) + 1
print(counts)
grouped = {}
for w in ["ant", "bee", "ape", "bat", "cow"]:
    grouped.setdefault(w[0], []).append(w)
print(grouped)
print(list(reversed(list(inventory))), len(inventory), {k: v for k, v in inventory.items() if v > 1})
del inventory["pear"]
print(inventory, "pear" in inventory)
final_return_value = counts
