log = []
def work():
    try:
        log.append("start")
        return 1 / 0
    finally:
        log.append("cleanup")
        print(log)
try:
    work()
finally:
    print("outer finally", log)
