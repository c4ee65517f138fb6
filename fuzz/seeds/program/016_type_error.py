final_return_value = "a" + 1
