from datetime import datetime, date, timezone, timedelta
for s in ["2024-01-15T10:30:00", "2024-01-15 10:30", "2024-01-15T10:30:00+02:00", "2024-01-15T10:30:00.250000"]:
    d = datetime.fromisoformat(s)
    print(d, d.isoformat(), d.tzinfo is not None)
for s, fmt in [("03/14/2024", "%m/%d/%Y"), ("14 Mar 2024", "%d %b %Y"), ("2024-03-14 07:05:09", "%Y-%m-%d %H:%M:%S"), ("March 14, 2024", "%B %d, %Y")]:
    print(datetime.strptime(s, fmt))
try:
    datetime.strptime("2024-13-01", "%Y-%m-%d")
except ValueError:
    print("ValueError")
aware = datetime(2024, 1, 1, 0, 0, tzinfo=timezone(timedelta(hours=-5)))
print(aware, aware.astimezone(timezone.utc), aware.isoformat())
final_return_value = datetime.fromisoformat("2024-02-29").strftime("%A %d %B %Y")
