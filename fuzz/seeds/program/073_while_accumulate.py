page = 0
collected = []
pages = [[1, 2], [3], [], [4]]
while page < len(pages) and pages[page]:
    collected.extend(pages[page])
    page += 1
print(page, collected)
balance = 100.0
months = 0
while balance < 200:
    balance *= 1.07
    months += 1
print(months, round(balance, 2), f"{balance:.2f}")
final_return_value = [page, collected, months]
