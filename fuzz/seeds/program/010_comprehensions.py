sq = [x * x for x in range(6)]
ev = [x for x in sq if x % 2 == 0]
pairs = [(a, b) for a in range(3) for b in range(a)]
dc = {k: len(k) for k in ["aa", "b", "ccc"]}
sc = {c for c in "mississippi"}
gen = sum(x for x in range(5))
print(sq, ev, pairs, dc, sorted(sc), gen)
x = "outer"
r = [x for x in "ab"]
print(x, r)
print([y for y in range(10) if y > 2 if y < 6], [[j for j in range(i)] for i in range(3)])
print(any(v > 4 for v in sq), all(v >= 0 for v in sq), (n := 5) + n)
final_return_value = dc
