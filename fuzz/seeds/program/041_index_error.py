items = [1, 2, 3]
final_return_value = items[3]
