lines = []
for i in range(1, 4):
    lines.append(f"{i}. item {i}")
report = "\n".join(lines)
report += "\n---\n"
report += "Total: " + str(len(lines))
print(report)
table = [["Name", "Qty"], ["apple", "3"], ["kiwi", "12"]]
width = [max(len(r[i]) for r in table) for i in range(2)]
for r in table:
    print(" | ".join(c.ljust(w) for c, w in zip(r, width)))
csv = "\n".join(",".join(r) for r in table)
print(csv.split("\n")[1].split(","), csv.count(","))
final_return_value = report
