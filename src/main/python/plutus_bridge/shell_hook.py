"""Hermes shell-hook entry for setups that cannot load Python plugins.

Hermes runs `python3 <plugin dir>/shell_hook.py` once per event with the shell-hook JSON on stdin
({"hook_event_name", "tool_name", "tool_input", "session_id", "cwd", "extra": {...}}). This turns it
back into the hook's keyword arguments, forwards them through the same bridge as the plugin (spool
and fail_mode included) and prints the answer in the shell-hook shape. It always exits 0: Hermes only
logs the exit code, and a Plutus fault must not break the agent.
"""
import importlib.util
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def kwargs_of(payload):
    # Whatever shape arrives, the event still goes to the daemon: a tool call it cannot tie to a
    # session is judged on the scopes that need none (the global cap), never waved through.
    if not isinstance(payload, dict):
        payload = {}
    extra = payload.get("extra")
    kwargs = dict(extra) if isinstance(extra, dict) else {}
    if payload.get("tool_name") is not None:
        kwargs["tool_name"] = payload["tool_name"]
    if payload.get("tool_input") is not None:
        kwargs["args"] = payload["tool_input"]
    if payload.get("session_id"):
        kwargs.setdefault("session_id", payload["session_id"])
    return kwargs


def main(stdin=sys.stdin, stdout=sys.stdout, settings=None):
    try:
        spec = importlib.util.spec_from_file_location("plutus_bridge", os.path.join(HERE, "__init__.py"))
        bridge_module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(bridge_module)
        # Python's json accepts NaN and Infinity, which are not JSON: read them as null, as the plugin sends them.
        raw = stdin.read() or "{}"
        try:
            payload = bridge_module.parse_json(raw)
        except ValueError:
            sys.stderr.write("plutus shell hook: stdin is not JSON; the event goes on without its arguments\n")
            payload = {}
        named = payload.get("hook_event_name") if isinstance(payload, dict) else None
        event = named or (sys.argv[1] if len(sys.argv) > 1 else "")
        s = dict(settings or bridge_module.load_settings(os.path.join(HERE, "bridge.json")))
        s["journal"] = False   # one process per event: a journal file each would cost more than the request
        bridge = bridge_module.Bridge(s)
        try:
            answer = bridge.on_hook(event, kwargs_of(payload)) or {}
        finally:
            bridge.close()
    except Exception as e:  # noqa: BLE001 - unreadable stdin or a missing file: no effect, as Hermes expects
        sys.stderr.write("plutus shell hook: %s\n" % e)
        answer = {}
    stdout.write(json.dumps(answer) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
