from datetime import datetime, date, timedelta, timezone
d = date(2024, 2, 28)
out = [
    (d + timedelta(days=1)).isoformat(),
    (d + timedelta(days=2)).isoformat(),
    d.weekday(), d.isoweekday(),
    (date(2024, 12, 25) - d).days,
    datetime(2024, 1, 31, 23, 59, 30).strftime("%Y-%m-%d %H:%M:%S %j %A %B"),
    (datetime(2024, 3, 1) - datetime(2024, 2, 1)).total_seconds(),
    str(timedelta(hours=25, minutes=3, seconds=7)),
    str(timedelta(days=-1, seconds=5)),
    datetime(2024, 5, 17, 8, 5, tzinfo=timezone.utc).isoformat(),
    datetime.fromisoformat("2024-06-01T12:00:00+02:00").astimezone(timezone.utc).isoformat(),
    datetime.strptime("03/04/2025 10:20", "%d/%m/%Y %H:%M").isoformat(),
    date(2020, 1, 1) < date(2020, 1, 2),
    max([date(2020, 5, 1), date(2019, 12, 31), date(2020, 4, 30)]).isoformat(),
    datetime(2024, 1, 1, 12).replace(hour=3, minute=4).isoformat(),
    timedelta(days=1, hours=2) // timedelta(hours=1),
    timedelta(minutes=90) * 2 == timedelta(hours=3),
]
print(out)
final_return_value = out
