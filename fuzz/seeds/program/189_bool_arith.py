flags = [True, False, True, True]
print(sum(flags), flags.count(True), True * 10, False - 1, True / 2, True // 1, -True, True ** 2)
print(True == 1, False == 0, True != 2, {True: "a", 1: "b"})
print(int(True), float(False), str(True).lower(), bool("False"), True & False, True | False, True ^ True, ~True)
print(sorted([True, False, 2, -1]), max(False, True), [x for x in [0, 1, 2] if x is not False])
final_return_value = [True + True, False * 3, True & 1]
