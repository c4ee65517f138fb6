from datetime import timedelta
r = range(0, 20, 3)
out = [list(r[1:5]), list(r[::-2]), list(r[5:1]), list(r[-3:]), r[-1], len(r[::2]),
       list(range(10, 0, -2)[1:3]), list(range(5)[::-1]), r[1:5] == range(3, 15, 3)]
out.append(str(timedelta(hours=5) % timedelta(hours=2)))
out.append(str(timedelta(hours=-5) % timedelta(hours=2)))
out.append(timedelta(hours=-5) // timedelta(hours=2))
out.append(timedelta(hours=5) // timedelta(hours=-2))
out.append(str(timedelta(minutes=7) % timedelta(minutes=-3)))
try:
    timedelta(1) % timedelta(0)
except ZeroDivisionError:
    out.append("zero")
print(out)
final_return_value = out
