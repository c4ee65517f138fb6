def fake_search(q):
    db = {"rust": ["r1", "r2"], "python": ["p1"]}
    return db.get(q.lower(), [])
results = {}
for topic in ["Rust", "Python", "Go"]:
    hits = fake_search(topic)
    if not hits:
        results[topic] = "none"
        continue
    results[topic] = {"count": len(hits), "first": hits[0]}
summary = "; ".join(f"{k}: {v['count'] if isinstance(v, dict) else v}" for k, v in results.items())
print(summary)
final_return_value = {"results": results, "summary": summary}
