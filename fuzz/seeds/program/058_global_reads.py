RATE = 0.2
LIMITS = {"a": 10}
def tax(x):
    return round(x * RATE, 2)
def limit(k):
    return LIMITS.get(k, 0)
def register(k, v):
    LIMITS[k] = v
    return len(LIMITS)
print(tax(100), limit("a"), register("b", 5), limit("b"), LIMITS)
final_return_value = LIMITS
