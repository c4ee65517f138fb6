final_return_value = int("12a")
