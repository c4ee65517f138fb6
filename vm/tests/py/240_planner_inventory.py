stock = {"pen": 10, "book": 0, "cup": 3}
orders = [("pen", 4), ("book", 1), ("cup", 5), ("lamp", 1), ("pen", 6)]
log = []
for item, qty in orders:
    try:
        have = stock[item]
        if have < qty:
            raise ValueError(f"only {have} {item}")
        stock[item] = have - qty
        log.append(f"ok {item} x{qty}")
    except KeyError as e:
        log.append(f"unknown {e}")
    except ValueError as e:
        log.append(f"short: {e}")
empty = [k for k, v in stock.items() if v == 0]
print(log, stock, empty)
final_return_value = {"log": log, "stock": stock, "empty": empty}
