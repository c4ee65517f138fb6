def total(rows):
    return rows[0]["amount"] + 1
print("start")
final_return_value = total([{"amt": 1}])
