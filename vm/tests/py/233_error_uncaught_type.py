values = [1, "2", 3]
final_return_value = "partial"
print("start")
total = sum(values)
final_return_value = total
