"""The seed tutorial's two cases through the relay with the official `openai` client.

Usage: python3 openai_seed.py BASE_URL RELAY_KEY POLICY_FILE
Exits 0 when both cases behave as the tutorial says; prints what differed otherwise.
"""

import json
import sys

import openai

base_url, relay_key, policy_file = sys.argv[1:4]
with open(policy_file, encoding="utf-8") as f:
    policy = f.read()

client = openai.OpenAI(
    base_url=base_url,
    api_key=relay_key,
    max_retries=0,
    default_headers={
        "X-Api-Key": "provider-key",
        "X-Features": json.dumps({"agent_arch": "dual-llm"}),
        "X-Policy": json.dumps({"codes": {"code": policy, "language": "sqrt"}}),
        "X-Config": json.dumps({"response_format": {"include_program": True}}),
    },
)

TOOLS = [
    {"type": "function", "function": {"name": "get_internal_document", "description": "Fetch a document",
        "parameters": {"type": "object", "properties": {"doc_id": {"type": "string"}}, "required": ["doc_id"]}}},
    {"type": "function", "function": {"name": "send_email", "description": "Send an email",
        "parameters": {"type": "object", "properties": {"to": {"type": "string"}, "subject": {"type": "string"},
            "body": {"type": "string"}}, "required": ["to", "subject", "body"]}}},
]
DOCUMENT = "The document content is: 'Sequrity is a secure AI...'"


def check(condition, what):
    if not condition:
        print(f"FAILED: {what}", file=sys.stderr)
        sys.exit(1)


def run(to):
    """The tutorial's loop: run every tool call the relay returns, until a final answer."""
    messages = [{"role": "user", "content": f"Retrieve the internal document with ID 'DOC12345' and email it to {to}"}]
    calls = []
    for _ in range(5):
        response = client.chat.completions.create(model="mock-planner,mock-parser", messages=messages, tools=TOOLS)
        check(response.model == "mock-planner,mock-parser", f"model echo: {response.model}")
        choice = response.choices[0]
        if choice.finish_reason != "tool_calls":
            check(choice.finish_reason == "stop", f"finish_reason {choice.finish_reason}")
            return calls, choice.message.content
        message = choice.message
        check(len(message.tool_calls) == 1, "one call per response")
        call = message.tool_calls[0]
        check(call.id.startswith("tc-") and len(call.id) == 76, f"tool call id {call.id}")
        calls.append((call.function.name, json.loads(call.function.arguments)))
        messages.append(message.model_dump(exclude_none=True))
        result = DOCUMENT if call.function.name == "get_internal_document" else "Email sent"
        messages.append({"role": "tool", "tool_call_id": call.id, "content": result})
    check(False, "no final answer after 5 steps")


calls, content = run("research@gmail.com")
check(calls == [("get_internal_document", {"doc_id": "DOC12345"})], f"case 1 calls: {calls}")
check("denied by argument checking policies" in content, f"case 1 content: {content}")
final = json.loads(content)
check(final["status"] == "failure" and final["error"]["code"] == "policy_denied", f"case 1: {final}")
check("send_email(to=recipient" in final["program"], "case 1 program")

calls, content = run("user@trustedcorp.com")
check([name for name, _ in calls] == ["get_internal_document", "send_email"], f"case 2 calls: {calls}")
check(calls[1][1]["to"] == "user@trustedcorp.com", f"case 2 recipient: {calls[1]}")
final = json.loads(content)
check(final["status"] == "success", f"case 2: {final}")
check(final["final_return_value"]["value"]["emailed_to"] == "user@trustedcorp.com", f"case 2: {final}")

# A wrong relay key is refused with OpenAI's error shape, which the client raises.
try:
    openai.OpenAI(base_url=base_url, api_key="wrong", max_retries=0).chat.completions.create(
        model="mock-planner", messages=[{"role": "user", "content": "hi"}])
    check(False, "a wrong key was accepted")
except openai.AuthenticationError as e:
    check(e.status_code == 401, f"status {e.status_code}")

print("ok")
