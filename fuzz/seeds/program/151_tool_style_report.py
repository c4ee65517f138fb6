emails = [
    {"from": "bob@x.com", "subject": "Invoice #123", "size": 2048},
    {"from": "alice@y.org", "subject": "Re: meeting", "size": 512},
    {"from": "bob@x.com", "subject": "Invoice #124", "size": 4096},
]
by_sender = {}
for e in emails:
    by_sender.setdefault(e["from"], []).append(e)
lines = []
for sender, items in sorted(by_sender.items()):
    total_kb = sum(i["size"] for i in items) / 1024
    lines.append(f"{sender:<12} {len(items):>2} msgs {total_kb:6.1f} KB")
print("\n".join(lines))
invoices = [int(e["subject"].split("#")[1]) for e in emails if e["subject"].startswith("Invoice")]
print(invoices, max(invoices) - min(invoices))
final_return_value = {"senders": len(by_sender), "invoices": invoices}
