from datetime import datetime, date, timedelta
d = datetime(2024, 2, 28, 23, 30)
print(d + timedelta(hours=1), d + timedelta(days=1, minutes=45), d - timedelta(weeks=1))
print(datetime(2024, 3, 1) - datetime(2024, 2, 1), (datetime(2024, 1, 1) - d).days)
td = timedelta(days=2, hours=3, minutes=4, seconds=5)
print(td, td.days, td.seconds, td.total_seconds(), -td, td * 2, td / 2, td // 3)
print(timedelta(hours=-1), timedelta(seconds=90) + timedelta(minutes=1), abs(timedelta(days=-1)))
print(date(2024, 12, 31) + timedelta(days=1), date(2023, 3, 1) - date(2023, 2, 1), date(2024, 1, 1).weekday())
print(d.year, d.month, d.day, d.hour, d.minute, d.second, d.weekday())
print(d < datetime(2025, 1, 1), date(2024, 1, 2) > date(2024, 1, 1), d.date(), d.time())
print(d.replace(year=2025, minute=0), timedelta(days=1) > timedelta(hours=23), timedelta(0) == timedelta())
final_return_value = [str(d + timedelta(days=2)), td.total_seconds()]
