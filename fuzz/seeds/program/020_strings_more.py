text = "The quick brown fox jumps over the lazy dog"
words = text.split()
print(len(words), max(words, key=len), " ".join(w.capitalize() for w in words))
print(text.count("o"), text.lower().count("the"), words[::-1][:3], "-".join(sorted(set(text.lower()) - {" "})))
acr = "".join(w[0].upper() for w in words)
print(acr, text[4:9], text.index("fox"), "fox" in text, text.replace(" ", "_")[:15])
csv = "id,name\n1,ann\n2,bo"
rows = [line.split(",") for line in csv.splitlines()[1:]]
print(rows, {r[0]: r[1] for r in rows})
print("%d%%" % 50, "a\tb".expandtabs(4) == "a   b", "x".join("abc"))
final_return_value = acr
