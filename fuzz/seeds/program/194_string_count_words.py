text = """The cat sat on the mat. The mat was flat;
the cat was fat!"""
words = [w.strip(".,;!").lower() for w in text.split()]
freq = {}
for w in words:
    freq[w] = freq.get(w, 0) + 1
top = sorted(freq.items(), key=lambda kv: (-kv[1], kv[0]))[:4]
print(len(words), len(freq), top)
print(text.count("at"), text.lower().count("the"), text.splitlines()[1], max(words, key=len))
final_return_value = dict(top)
