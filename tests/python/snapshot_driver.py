"""Drives the installed bridge through Hermes's real plugin manager against a real daemon, for
SnapshotEndToEndTest: a session asks for a tool, makes a call over its budget (post_api_request,
journaled only), and asks for a tool again at once and then until the answer comes from the verdict
snapshot. Prints one JSON object: each pre_tool_call's answer and where it came from, and which
events reached the daemon other than through the journal.

usage: snapshot_driver.py HERMES_SRC   (HERMES_HOME holds config.yaml with plutus enabled and the plugin)
"""
import json
import sys
import time


def main(hermes_src):
    sys.path.insert(0, hermes_src)
    from hermes_cli import plugins  # Hermes's real plugin manager
    plugins.discover_plugins()
    module = sys.modules.get("hermes_plugins.plutus")
    if module is None or not plugins.has_hook("pre_tool_call"):
        raise SystemExit("Hermes did not load the plutus plugin")
    transport = module.transport
    sent = []       # events that reached the daemon (channel or HTTP)
    sources = []    # per pre_tool_call: "snapshot" or "daemon"

    original_request = transport.ChannelClient.request

    def request(self, path, token, event, *a, **kw):
        sent.append(event)
        return original_request(self, path, token, event, *a, **kw)

    transport.ChannelClient.request = request
    original_post = transport.DaemonClient.post

    def post(self, endpoint, path, *a, **kw):
        sent.append(path)
        return original_post(self, endpoint, path, *a, **kw)

    transport.DaemonClient.post = post
    original_answer = transport.VerdictSnapshot.answer

    def answer(self, *a, **kw):
        reply = original_answer(self, *a, **kw)
        if reply is not None:
            sources[-1] = "snapshot"
        return reply

    transport.VerdictSnapshot.answer = answer
    session = "20261202_101500_5a9b1c"
    base = {"session_id": session, "task_id": session, "platform": "cli"}

    def tool(n):
        sources.append("daemon")
        out = plugins.invoke_hook("pre_tool_call", tool_name="terminal", args={"command": "ls"},
                                  tool_call_id="toolu_%d" % n, **base)
        return out[0] if out else None

    result = {"answers": [], "sources": sources}
    plugins.invoke_hook("pre_llm_call", user_message="hi", conversation_history=[], is_first_turn=True,
                        model="claude-sonnet-4-6", **base)
    result["answers"].append(tool(0))
    # Wait (bounded) until the snapshot answers the allowed session, so the crossing call meets a snapshot that allows.
    deadline = time.time() + 20
    while sources[-1] != "snapshot" and time.time() < deadline:
        time.sleep(0.005)
        result["answers"].append(tool(len(sources)))
    result["allowed_from_snapshot"] = sources[-1] == "snapshot"
    result["before_call"] = len(sources)
    now = time.time()
    # $0.012: 4,000 input tokens of claude-sonnet-4-6 at $3 per million, over the $0.01 cap.
    plugins.invoke_hook("post_api_request", api_request_id=session + ":api:1", provider="anthropic",
                        model="claude-sonnet-4-6", api_mode="anthropic_messages", api_duration=0.5, started_at=now - 0.5,
                        ended_at=now, usage={"input_tokens": 4000, "output_tokens": 0, "cache_read_tokens": 0,
                                             "cache_write_tokens": 0, "reasoning_tokens": 0}, **base)
    result["right_after"] = tool(len(sources))
    result["right_after_source"] = sources[-1]
    deadline = time.time() + 20
    while time.time() < deadline:
        time.sleep(0.005)
        last = tool(len(sources))
        if sources[-1] == "snapshot":
            result["from_snapshot_after"] = last
            break
    result["sent"] = sent
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1])
