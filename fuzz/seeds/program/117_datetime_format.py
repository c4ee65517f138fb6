from datetime import datetime, date, time, timezone, timedelta
d = datetime(2024, 7, 4, 9, 5, 7, 120000)
print(d.isoformat(), d.strftime("%Y-%m-%d %H:%M:%S"), d.strftime("%a %b %d %I:%M %p"), d.strftime("%A %B %j %y"))
print(d.strftime("%%|%f|%w|%U"), str(d), repr(date(2024, 1, 2)), date(2024, 1, 2).isoformat())
print(datetime.fromisoformat("2024-01-15T10:30:00"), datetime.fromisoformat("2024-01-15"), date.fromisoformat("2023-12-31"))
print(datetime.strptime("15/01/2024 08:00", "%d/%m/%Y %H:%M"), datetime.strptime("2024-03-05", "%Y-%m-%d").date())
u = datetime(2024, 1, 1, 12, 0, tzinfo=timezone.utc)
print(u, u.isoformat(), u.astimezone(timezone(timedelta(hours=2))), u.timestamp())
print(datetime.fromtimestamp(0, timezone.utc), datetime.combine(date(2024, 5, 6), time(7, 8)), time(1, 2, 3).isoformat())
print(f"{d:%Y/%m/%d}", format(date(2024, 2, 3), "%d.%m.%Y"), d.time().strftime("%H:%M"))
final_return_value = [str(d), str(u), str(date(2024, 1, 1)), str(timedelta(minutes=2)), d.strftime("%U %W"), date(2024, 1, 1).strftime("%U %W"), date(2023, 1, 1).strftime("%U %W")]
