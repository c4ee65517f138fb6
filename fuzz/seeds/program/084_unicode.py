s = "naïve café 😀 日本"
print(len(s), s.upper(), s[6:10], s[-2:], s.split(" "), list(s[-2:]), s.encode if False else "")
print(sorted(["é", "e", "z", "a"]), "😀" in s, s.find("日"), s.count("é"), ord("😀"), chr(128512))
print(f"{s:>20}|", f"{'日本':^6}|", repr("😀"), "x".join("日本"))
final_return_value = [len(s), s[11]]
