import json
from json import JSONDecodeError
out = []
for text in ['{"a": 1}', '[1, 2,]', '{"a" 1}', 'nul', '"unterminated', '123abc', '  [ ]  ', '{"k": "\\u00e9"}', '1e400' if False else '2.5']:
    try:
        out.append(json.loads(text))
    except JSONDecodeError:
        out.append("bad: " + text)
    except ValueError:
        out.append("value: " + text)
print(out)
final_return_value = out
