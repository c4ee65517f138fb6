# Tool errors are catchable, parse_with_ai answers come in order, wrappers label results,
# and a sequence past its end stops the run.
doc = get_internal_document(doc_id="1")
try:
    get_internal_document(doc_id="2")
except Exception as e:
    print("caught:", str(e))
r = parse_with_ai(query="to x", output_schema={"type": "object", "properties": {"recipient": {"type": "string"}}})
try:
    parse_with_ai(query="nothing here", output_schema={"type": "object"})
except NotEnoughInformationError:
    print("not enough information")
sent = send_email(to=r["recipient"], subject="s", body="hi")
final_return_value = sent
get_internal_document(doc_id="3")
