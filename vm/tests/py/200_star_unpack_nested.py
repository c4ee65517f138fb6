a, *b, c = [1, 2, 3, 4, 5]
(x, y), *rest = [(1, 2), 3, 4]
first, *_ = "hello"
*init, last = range(4)
[p, [q, *r]] = [0, [1, 2, 3]]
print(a, b, c, x, y, rest, first, init, last, p, q, r)
final_return_value = [a, b, c, x, y, rest, first, init, last, r]
