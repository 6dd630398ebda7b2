"""Sends post_api_request events through the installed bridge's hook path (journaled, not sent), one line
per event on stdout: "ack <api_request_id>" once the hook returned to Hermes. Every tenth event a
pre_tool_call asks the daemon for a verdict ("verdict <answer>"), which must count every call before it.
Used by JournalDurabilityTest, which SIGKILLs one side mid-run.

usage: journal_driver.py PLUGIN_DIR COUNT
"""
import json
import sys
import time

from hermes_driver import load_plugin, RecordingContext


def main(plugin_dir, count):
    module = load_plugin(plugin_dir)
    ctx = RecordingContext()
    module.register(ctx, module.load_settings(plugin_dir + "/bridge.json"))
    for i in range(count):
        rid = "journal-%d" % i
        now = time.time()
        ctx.hooks["post_api_request"](
            session_id="journal-session", platform="cli", api_request_id=rid, provider="anthropic",
            model="claude-sonnet-4-6", api_duration=0.5, ended_at=now,
            usage={"input_tokens": 100, "output_tokens": 10, "cache_read_tokens": 0, "cache_write_tokens": 0,
                   "reasoning_tokens": 0})
        print("ack %s" % rid, flush=True)
        if i % 10 == 9:
            print("verdict %s" % json.dumps(ctx.hooks["pre_tool_call"](session_id="journal-session", tool_name="terminal")),
                  flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
