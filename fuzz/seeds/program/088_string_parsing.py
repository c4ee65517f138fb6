log = """2024-01-01 10:00:01 INFO start service=api
2024-01-01 10:00:05 WARN slow request ms=1200
2024-01-01 10:01:00 ERROR failed code=500
2024-01-01 10:02:00 INFO done"""
entries = []
for line in log.splitlines():
    date, time, level, *rest = line.split()
    kv = dict(p.split("=", 1) for p in rest if "=" in p)
    msg = " ".join(p for p in rest if "=" not in p)
    entries.append({"t": f"{date}T{time}", "level": level, "msg": msg, **kv})
by_level = {}
for e in entries:
    by_level.setdefault(e["level"], 0)
    by_level[e["level"]] += 1
print(entries[1], by_level, [e["t"][11:16] for e in entries if e["level"] != "INFO"])
final_return_value = entries
