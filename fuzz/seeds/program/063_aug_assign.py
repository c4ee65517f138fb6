d = {"a": 1, "l": [1]}
d["a"] += 5
d["l"] += [2]
d["l"] *= 2
s = "x"
s += "y"
s *= 3
n = 10
n -= 3
n *= 2
n //= 3
n **= 2
n %= 7
n <<= 2
n |= 1
n ^= 3
n &= 0xff
n >>= 1
f = 1.5
f /= 2
st = {1}
st |= {2}
st &= {2, 3}
class P(BaseModel):
    v: int
p = P(1)
p.v += 41
lst = [1, 2, 3]
alias = lst
lst += [4]
print(d, s, n, f, st, p.v, alias, alias is lst)
final_return_value = [d, s, n, f, p.v]
