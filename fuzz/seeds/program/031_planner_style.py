emails = [
    {"from": "alice@corp.com", "subject": "Q3 report", "body": "Revenue up 10%", "unread": True},
    {"from": "bob@x.com", "subject": "Lunch?", "body": "Noon?", "unread": False},
    {"from": "carol@corp.com", "subject": "Q3 numbers", "body": "See attached", "unread": True},
]
unread = [e for e in emails if e["unread"]]
corp = [e["from"] for e in emails if e["from"].endswith("@corp.com")]
q3 = [e["subject"] for e in emails if "q3" in e["subject"].lower()]
summary_lines = []
for idx, e in enumerate(unread, start=1):
    summary_lines.append(f"{idx}. {e['subject']} — from {e['from'].split('@')[0].title()}")
summary = "\n".join(summary_lines)
print(summary)
final_return_value = {
    "unread_count": len(unread),
    "corp_senders": sorted(set(corp)),
    "q3_subjects": q3,
    "summary": summary,
}
