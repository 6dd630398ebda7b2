"""pre_tool_call from the daemon's verdict snapshot: answered from it only when it is provably current."""
import json
import os
import shutil
import sys
import tempfile
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "src", "main", "python"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plutus_bridge  # noqa: E402
from plutus_bridge import transport  # noqa: E402
from test_bridge import FakeDaemon, HOOKS  # noqa: E402
from test_channel import FakeChannel  # noqa: E402
from hermes_driver import RecordingContext  # noqa: E402

BLOCK = "Plutus: global daily budget exhausted ($0.0112 of $0.01); resets 2026-12-03 00:00 UTC"


class SnapshotSelectionTest(unittest.TestCase):
    def setUp(self):
        self.home = tempfile.mkdtemp(prefix="plutus-snapshot-")
        self.addCleanup(shutil.rmtree, self.home, True)
        self.settings = {"plutus_home": self.home, "timeout_ms": 1000, "command_timeout_ms": 2000, "fail_mode": "closed",
                         "autostart": False, "launcher": "plutus", "hooks": HOOKS, "commands": [],
                         "hermes_config": os.path.join(self.home, "none.yaml")}
        self.http = FakeDaemon(self.home)
        self.addCleanup(self.http.stop)
        path = os.path.join(self.home, "hook.sock")
        self.channel = FakeChannel(path)
        self.addCleanup(self.channel.stop)
        with open(os.path.join(self.home, "daemon.json")) as f:
            info = json.load(f)
        info["hook_channel"] = path
        with open(os.path.join(self.home, "daemon.json"), "w") as f:
            json.dump(info, f)
        self.channel.replies["pre_tool_call"] = {"action": "block", "message": "from the daemon"}
        self.ctx = RecordingContext()
        self.bridge = plutus_bridge.register(self.ctx, dict(self.settings))
        self.addCleanup(self.bridge.close)
        self.addCleanup(self.bridge.journal.close)

    def publish(self, generation=100, sessions=None, journals=None, valid_for_ms=60_000, pid=None, raw=None):
        """Writes verdicts.snap as the daemon does: a temp file renamed over the old one."""
        path = os.path.join(self.home, transport.SNAPSHOT_FILE)
        if raw is None:
            raw = json.dumps({"plutus_verdicts": 1, "generation": generation, "pid": pid or os.getpid(),
                              "written_ms": int(time.time() * 1000), "valid_until_ms": int(time.time() * 1000) + valid_for_ms,
                              "journals": journals or {}, "sessions": {"s1": ""} if sessions is None else sessions,
                              "end": True}).encode()
        with open(path + ".tmp", "wb") as f:
            f.write(raw)
        os.replace(path + ".tmp", path)

    def tool(self, session="s1"):
        return self.ctx.hooks["pre_tool_call"](session_id=session, tool_name="terminal", tool_call_id="t1")

    def asked(self):
        return len([e for e, _ in self.channel.requests if e == "pre_tool_call"])

    def test_an_allow_and_a_block_come_from_a_current_snapshot_without_asking_the_daemon(self):
        self.publish(sessions={"s1": "", "s2": BLOCK})
        self.assertIsNone(self.tool("s1"))
        self.assertEqual({"action": "block", "message": BLOCK}, self.tool("s2"))
        self.assertEqual(0, self.asked())
        self.assertEqual({"snapshot": 2, "daemon": 0}, self.bridge.answered_by)

    def test_a_snapshot_older_than_an_answer_this_process_got_is_not_used(self):
        self.publish(generation=100)
        self.channel.generation = 101
        self.ctx.hooks["pre_api_request"](session_id="s1", api_request_id="r1", provider="openai", model="gpt-4o")
        self.assertEqual({"action": "block", "message": "from the daemon"}, self.tool())
        self.assertEqual(1, self.asked())
        self.publish(generation=101)
        self.assertIsNone(self.tool(), "a snapshot as new as the answer is used")
        self.assertEqual(1, self.asked())

    def test_the_generation_of_an_http_answer_counts_too(self):
        self.publish(generation=100)
        self.bridge.channel_down_until = time.time() + 60   # the channel is away: verdicts go over HTTP
        self.http.headers = {"X-Plutus-Generation": "150"}
        self.ctx.hooks["pre_llm_call"](session_id="s1", platform="cli", model="m")
        self.assertEqual(150, self.bridge.snapshot.seen)
        self.tool()
        self.assertEqual(1, self.bridge.answered_by["daemon"])

    def test_a_journaled_call_the_snapshot_has_not_counted_sends_the_hook_to_the_daemon(self):
        self.publish()
        self.ctx.hooks["post_api_request"](session_id="s1", api_request_id="r1", provider="openai", model="gpt-4o",
                                           usage={"input_tokens": 10, "output_tokens": 5})
        name, offset = self.bridge.journal.position()
        self.publish(journals={name: offset - 1})
        self.assertEqual({"action": "block", "message": "from the daemon"}, self.tool())
        self.assertEqual(1, self.asked())
        self.publish(journals={name: offset})
        self.assertIsNone(self.tool())
        self.assertEqual(1, self.asked())

    def test_a_tool_run_journaled_since_need_not_be_counted(self):
        self.ctx.hooks["post_api_request"](session_id="s1", api_request_id="r1", provider="openai", model="gpt-4o",
                                           usage={"input_tokens": 10, "output_tokens": 5})
        name, offset = self.bridge.journal.position()
        self.ctx.hooks["post_tool_call"](session_id="s1", tool_name="terminal", tool_call_id="t1", result="ok")
        self.assertGreater(self.bridge.journal.position()[1], offset)
        self.publish(journals={name: offset})
        self.assertIsNone(self.tool())
        self.assertEqual(0, self.asked())

    def test_an_expired_snapshot_is_not_used(self):
        self.publish(valid_for_ms=-1)
        self.assertEqual({"action": "block", "message": "from the daemon"}, self.tool())
        self.assertEqual(1, self.asked())
        self.assertEqual(1, self.bridge.snapshot.declined["expired"])

    def test_a_session_not_listed_is_asked_for(self):
        self.publish(sessions={"other": ""})
        self.assertEqual({"action": "block", "message": "from the daemon"}, self.tool())
        self.assertEqual(1, self.asked())
        self.assertEqual({"action": "block", "message": "from the daemon"},
                         self.ctx.hooks["pre_tool_call"](tool_name="terminal", tool_call_id="t2"), "no session named")
        self.assertEqual(2, self.asked())

    def test_a_half_written_or_odd_file_is_not_used(self):
        whole = json.dumps({"plutus_verdicts": 1, "generation": 100, "pid": os.getpid(), "written_ms": 0,
                            "valid_until_ms": int(time.time() * 1000) + 60_000, "journals": {}, "sessions": {"s1": ""},
                            "end": True}).encode()
        for raw in (whole[:len(whole) // 2], whole.replace(b', "end": true', b""), b"", b"[]",
                    whole.replace(b'"generation": 100', b'"generation": "100"'),
                    whole.replace(b'"plutus_verdicts": 1', b'"plutus_verdicts": 2')):
            self.publish(raw=raw)
            self.assertEqual({"action": "block", "message": "from the daemon"}, self.tool(), raw)
        self.assertEqual(6, self.asked())
        self.publish(raw=whole)
        self.assertIsNone(self.tool())

    def test_no_file_and_a_dead_daemon_file_are_not_used(self):
        self.assertEqual({"action": "block", "message": "from the daemon"}, self.tool())
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)
        self.publish(pid=pid)
        self.assertEqual({"action": "block", "message": "from the daemon"}, self.tool())
        self.assertEqual(2, self.asked())
        self.assertEqual(1, self.bridge.snapshot.declined["daemon gone"])

    def test_a_rewritten_file_is_read_again_and_an_unchanged_one_is_not(self):
        self.publish(sessions={"s1": ""})
        self.assertIsNone(self.tool())
        reads = []
        original = self.bridge.snapshot._read
        self.bridge.snapshot._read = lambda: reads.append(1) or original()
        for _ in range(5):
            self.assertIsNone(self.tool())
        self.assertEqual([], reads, "stat unchanged: the parsed snapshot is reused")
        self.publish(generation=101, sessions={"s1": BLOCK})
        self.assertEqual({"action": "block", "message": BLOCK}, self.tool())
        self.assertEqual([1], reads)

    def test_a_daemon_known_to_be_down_is_not_bypassed(self):
        self.publish()
        self.bridge.down_until = time.time() + 60
        answer = self.tool()
        self.assertEqual("block", answer["action"], "fail_mode closed decides, as without a snapshot")
        self.assertIn("fail_mode is closed", answer["message"])


if __name__ == "__main__":
    unittest.main()
