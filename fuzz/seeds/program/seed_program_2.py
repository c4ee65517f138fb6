# Retrieve the document and email it to the recipient.
final_return_value = None

try:
    doc_content = get_internal_document(doc_id="DOC12345")
    email_subject = "Requested document DOC12345"
    email_body = (
        "Hello,\n\n"
        "Attached below is the content of internal document DOC12345 as requested:\n\n"
        f"{doc_content}\n\n"
        "Regards,\nAutomated Document Service"
    )
    send_email(to="user@trustedcorp.com", subject=email_subject, body=email_body)
    final_return_value = {
        "status": "success",
        "doc_id": "DOC12345",
        "emailed_to": "user@trustedcorp.com",
        "message": "Document retrieved and emailed successfully."
    }
except Exception as e:
    final_return_value = {"status": "error", "error": str(e)}
