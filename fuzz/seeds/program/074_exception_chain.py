class ValidationError(ValueError):
    pass
def validate(rec):
    if "id" not in rec:
        raise ValidationError("missing id")
    if not isinstance(rec["id"], int):
        raise ValidationError(f"bad id type: {rec['id']!r}")
    return rec["id"]
good, bad = [], []
for rec in [{"id": 1}, {}, {"id": "x"}, {"id": 4}]:
    try:
        good.append(validate(rec))
    except ValidationError as e:
        bad.append(str(e))
    except Exception:
        bad.append("other")
print(good, bad)
try:
    try:
        validate({})
    except ValidationError as e:
        raise RuntimeError("wrapped") from e
except RuntimeError as e:
    print("outer:", e)
final_return_value = {"good": good, "bad": bad}
