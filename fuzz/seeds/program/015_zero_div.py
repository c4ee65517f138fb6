final_return_value = 1
print(final_return_value)
final_return_value = 1 / 0
