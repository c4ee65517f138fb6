def outer(n):
    def helper(k):
        if k == 0:
            return []
        return helper(k - 1) + [k * n]
    return helper(n)
print(outer(3), outer(0))
def hanoi(n, a="A", b="B", c="C"):
    if n == 0:
        return []
    return hanoi(n - 1, a, c, b) + [(a, c)] + hanoi(n - 1, b, a, c)
moves = hanoi(3)
print(len(moves), moves[:3])
def gcd(a, b):
    return a if b == 0 else gcd(b, a % b)
print(gcd(48, 18), gcd(17, 5), gcd(0, 9))
final_return_value = moves
