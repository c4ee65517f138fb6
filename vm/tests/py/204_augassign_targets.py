d = {"a": 1, "l": [1]}
d["a"] += 10
d["l"] += [2, 3]
d["b"] = d.get("b", 0) - 5
s = "ab"
s *= 3
t = (1,)
t += (2, 3)
n = 7
n //= 2
n **= 3
n %= 5
x = 2.5
x *= 4
x -= 0.5
class P(BaseModel):
    v: int
p = P(v=3)
p.v *= 7
lst = [[0] * 2 for _ in range(2)]
lst[1][0] += 5
st = {1}
st |= {2, 3}
st -= {1}
print(d, s, t, n, x, p.v, lst, st)
final_return_value = [d, s, list(t), n, x, p.v, lst, sorted(st)]
