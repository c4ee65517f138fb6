emails = [
    {"from": "ann@corp.com", "subject": "Q3 report", "body": "Revenue up 12%. Costs flat.", "urgent": False},
    {"from": "bob@vendor.io", "subject": "URGENT: invoice", "body": "Invoice #4411 overdue", "urgent": True},
    {"from": "cy@corp.com", "subject": "lunch?", "body": "tacos at 12", "urgent": False},
]
internal = [e for e in emails if e["from"].endswith("@corp.com")]
urgent = [e["subject"] for e in emails if e["urgent"] or "urgent" in e["subject"].lower()]
senders = sorted({e["from"].split("@")[1] for e in emails})
lines = []
for n, e in enumerate(emails, 1):
    flag = "!" if e["urgent"] else " "
    lines.append(f"{n:>2}{flag} {e['subject'][:12]:<12} | {len(e['body'].split()):3d} words")
summary = "\n".join(lines)
print(summary)
final_return_value = {"internal": len(internal), "urgent": urgent, "domains": senders, "summary": summary}
