ledger = [("deposit", 100), ("withdraw", 30), ("withdraw", 200), ("deposit", 50.5), ("fee", 1)]
balance = 0
rejected = []
for i, (kind, amount) in enumerate(ledger):
    if kind == "deposit":
        balance += amount
    elif kind == "withdraw":
        if amount > balance:
            rejected.append(i)
            continue
        balance -= amount
    else:
        balance -= amount
print(f"balance={balance:.2f}", rejected, round(balance, 1), int(balance), balance // 1, balance % 1 > 0)
final_return_value = {"balance": balance, "rejected": rejected}
