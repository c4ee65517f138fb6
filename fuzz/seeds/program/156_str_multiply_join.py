rows = [("id", "name", "qty"), (1, "bolt", 100), (22, "washer", 5)]
widths = [max(len(str(r[i])) for r in rows) for i in range(3)]
sep = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
print(sep)
for r in rows:
    print("| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |")
print(sep)
final_return_value = widths
