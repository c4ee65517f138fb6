defaults = {"color": "red", "size": "M", "tags": []}
user = {"size": "L", "extra": True}
merged = {**defaults, **user}
print(merged, defaults | user == merged, user | defaults)
cfg = dict(defaults)
cfg.update(user)
cfg.update(size="XL")
print(cfg, defaults["size"])
deep = {"a": {"b": 1}}
shallow = deep.copy()
shallow["a"]["b"] = 2
print(deep, shallow is deep, shallow["a"] is deep["a"])
print({k: v for d in [defaults, user] for k, v in d.items() if not isinstance(v, list)})
final_return_value = merged
