import json
from datetime import date, timedelta
import re
log_lines = ["2024-03-01 ERROR disk full", "2024-03-01 INFO ok", "2024-03-02 ERROR net down", "2024-03-04 WARN slow"]
pat = re.compile(r"^(\d{4}-\d{2}-\d{2}) (\w+) (.*)$")
entries = [pat.match(l).groups() for l in log_lines]
errors = [(d, msg) for d, lvl, msg in entries if lvl == "ERROR"]
first = date.fromisoformat(entries[0][0])
last = date.fromisoformat(entries[-1][0])
span = (last - first).days
levels = {}
for _, lvl, _ in entries:
    levels[lvl] = levels.get(lvl, 0) + 1
summary = {"errors": [m for _, m in errors], "span_days": span, "levels": levels, "next": str(last + timedelta(days=1))}
print(json.dumps(summary, sort_keys=True, indent=1))
final_return_value = summary
