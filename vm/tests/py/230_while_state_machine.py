text = 'name="Ann Lee" age=31 city="New York" flag'
i, out, state, key, buf = 0, {}, "key", "", ""
while i < len(text):
    ch = text[i]
    if state == "key":
        if ch == "=":
            key, buf, state = buf, "", "value"
        elif ch == " ":
            if buf:
                out[buf] = True
            buf = ""
        else:
            buf += ch
    elif state == "value":
        if ch == '"':
            state = "quoted"
        elif ch == " ":
            out[key] = buf
            buf, state = "", "key"
        else:
            buf += ch
    elif state == "quoted":
        if ch == '"':
            state = "value"
        else:
            buf += ch
    i += 1
if buf:
    if state == "key":
        out[buf] = True
    else:
        out[key] = buf
print(out)
final_return_value = out
