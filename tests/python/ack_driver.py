"""Sends post_api_request events through the installed bridge, one line per event on stdout:
"ack <api_request_id>" once the daemon answered 200 (the event is recorded), "spooled <id>" when the
bridge kept it in the spool instead. Used by KillDurabilityTest, which SIGKILLs one side mid-run.

usage: ack_driver.py PLUGIN_DIR COUNT [PAUSE_AFTER PAUSE_SECONDS]
"""
import sys
import time

from hermes_driver import load_plugin, RecordingContext


def main(plugin_dir, count, pause_after=-1, pause=0.0):
    module = load_plugin(plugin_dir)
    bridge = module.register(RecordingContext(), module.load_settings(plugin_dir + "/bridge.json"))
    for i in range(count):
        if i == pause_after:
            time.sleep(pause)
        rid = "kill-%d" % i
        now = time.time()
        reply = bridge.forward("post_api_request", {
            "session_id": "kill-session", "platform": "cli", "api_request_id": rid, "provider": "anthropic",
            "model": "claude-sonnet-4-6", "api_duration": 0.5, "ended_at": now,
            "usage": {"input_tokens": 100, "output_tokens": 10, "cache_read_tokens": 0, "cache_write_tokens": 0,
                      "reasoning_tokens": 0}})
        print("%s %s" % ("ack" if reply is not None else "spooled", rid), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), *(int(sys.argv[3]), float(sys.argv[4])) if len(sys.argv) > 4 else ())
