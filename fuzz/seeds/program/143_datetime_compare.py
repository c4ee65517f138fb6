from datetime import datetime, date, timedelta
events = [datetime(2024, 5, 1, 9), datetime(2023, 12, 31, 23, 59), datetime(2024, 5, 1, 8, 30)]
print(sorted(events), min(events), max(events))
start = date(2024, 1, 29)
days = [start + timedelta(days=i) for i in range(5)]
print([d.isoformat() for d in days], [d.weekday() for d in days], [d.strftime("%a") for d in days])
print(date(2024, 2, 29).replace(year=2028), (date(2025, 1, 1) - date(2024, 1, 1)).days, date(2024, 3, 1) - timedelta(days=1))
deadline = datetime(2024, 6, 30, 17, 0)
now = datetime(2024, 6, 28, 9, 15)
left = deadline - now
print(left, left.days, left.seconds // 3600, left.total_seconds() / 3600, now < deadline, now == datetime(2024, 6, 28, 9, 15))
print(timedelta(days=1, hours=25), timedelta(minutes=-90), timedelta(seconds=3661).total_seconds(), timedelta(weeks=2).days)
final_return_value = [str(d) for d in days[:2]]
