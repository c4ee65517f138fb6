sales = [
    {"region": "east", "month": 1, "amount": 100},
    {"region": "west", "month": 1, "amount": 80},
    {"region": "east", "month": 2, "amount": 120},
    {"region": "west", "month": 2, "amount": 95},
    {"region": "north", "month": 2, "amount": 40},
]
totals = {}
for s in sales:
    totals[s["region"]] = totals.get(s["region"], 0) + s["amount"]
print(totals)
best = max(totals.items(), key=lambda kv: kv[1])
print(best, sorted(totals, key=lambda r: -totals[r]))
by_month = {m: [s["region"] for s in sales if s["month"] == m] for m in sorted({s["month"] for s in sales})}
print(by_month)
share = {r: f"{v / sum(totals.values()):.1%}" for r, v in totals.items()}
print(share)
final_return_value = share
