tasks = [{"id": 1, "deps": []}, {"id": 2, "deps": [1]}, {"id": 3, "deps": [1, 2]}, {"id": 4, "deps": [3, 9]}]
done = set()
order = []
blocked = []
for t in tasks:
    missing = [d for d in t["deps"] if d not in done]
    if missing:
        blocked.append((t["id"], missing))
        continue
    done.add(t["id"])
    order.append(t["id"])
print(order, blocked)
status = "all done" if not blocked else f"{len(blocked)} blocked"
print(status)
final_return_value = {"order": order, "blocked": [b[0] for b in blocked]}
