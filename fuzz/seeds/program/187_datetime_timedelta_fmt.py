from datetime import timedelta, datetime
for td in [timedelta(0), timedelta(seconds=59), timedelta(minutes=61), timedelta(days=1), timedelta(days=-1, seconds=1), timedelta(hours=-2), timedelta(microseconds=1500), timedelta(days=400, hours=5)]:
    print(str(td), td.days, td.seconds, td.microseconds, td.total_seconds())
start = datetime(2024, 12, 31, 22, 0)
for h in [1, 2, 3, 26]:
    print((start + timedelta(hours=h)).strftime("%Y-%m-%d %H:%M %a"))
print(timedelta(hours=1) * 1.5, timedelta(hours=3) / timedelta(minutes=30), timedelta(days=7) // timedelta(days=2))
final_return_value = [str(timedelta(minutes=m)) for m in [5, 90, 1440]]
