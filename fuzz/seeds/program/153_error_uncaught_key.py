config = {"host": "localhost"}
print("before")
port = config["port"]
print("after")
