"""pre_tool_call from the daemon's verdict snapshot: answered from it only when it is provably current."""
import json
import os
import sys
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "src", "main", "python"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plutus_bridge  # noqa: E402
from plutus_bridge import transport  # noqa: E402
from test_channel import channel_on, daemon_home  # noqa: E402
from hermes_driver import RecordingContext  # noqa: E402

BLOCK = "Plutus: global daily budget exhausted ($0.0112 of $0.01); resets 2026-12-03 00:00 UTC"


class SnapshotSelectionTest(unittest.TestCase):
    def setUp(self):
        self.home, self.settings, self.http = daemon_home(self, "plutus-snapshot-")
        self.channel = channel_on(self, self.home)
        self.channel.replies["pre_tool_call"] = {"action": "block", "message": "from the daemon"}
        self.ctx = RecordingContext()
        self.bridge = plutus_bridge.register(self.ctx, dict(self.settings))
        self.addCleanup(self.bridge.close)
        self.addCleanup(self.bridge.journal.close)

    def publish(self, generation=100, sessions=None, journals=None, valid_for_ms=60_000, pid=None, raw=None,
                headroom=None, price_bounds=None, llm_quiet=None, llm_valid_for_ms=None):
        """Writes verdicts.snap as the daemon does: a temp file renamed over the old one."""
        path = os.path.join(self.home, transport.SNAPSHOT_FILE)
        if raw is None:
            snap = {"plutus_verdicts": 1, "generation": generation, "pid": pid or os.getpid(),
                    "written_ms": int(time.time() * 1000), "valid_until_ms": int(time.time() * 1000) + valid_for_ms,
                    "journals": journals or {}, "sessions": {"s1": ""} if sessions is None else sessions}
            if headroom is not None:
                snap["headroom"] = headroom
            if price_bounds is not None:
                snap["price_bounds"] = price_bounds
            if llm_quiet is not None:
                snap["llm_quiet"] = llm_quiet
                snap["llm_valid_until_ms"] = int(time.time() * 1000) + (valid_for_ms if llm_valid_for_ms is None
                                                                        else llm_valid_for_ms)
            snap["end"] = True
            raw = json.dumps(snap).encode()
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

    def call(self, session="s1", model="gpt-4o", tokens=15, **extra):
        usage = extra.pop("usage", {"input_tokens": tokens - 5, "output_tokens": 5})
        self.ctx.hooks["post_api_request"](session_id=session, api_request_id="r%d" % time.perf_counter_ns(),
                                           provider="openai", model=model, usage=usage, **extra)

    # $10 per million tokens at most (input 2.5, output 10): 10,000,000 micro-dollars per million tokens.
    BOUNDS = {"openai": {"gpt-4o": 10_000_000}}

    def test_calls_not_counted_yet_are_allowed_from_the_snapshot_while_they_stay_inside_the_headroom(self):
        self.call()   # before the snapshot: counted
        name, counted = self.bridge.journal.position()
        self.call(tokens=1000)
        self.call(session="s2", tokens=999)   # another session's call may share its scopes: counted against the room too
        # 1,999 tokens at $10 per million at most: $0.01999, under $0.02 of headroom.
        self.publish(journals={name: counted}, headroom={"s1": {"micros": 20_000, "provider": "openai", "model": "gpt-4o"}},
                     price_bounds=self.BOUNDS)
        self.assertIsNone(self.tool())
        self.assertEqual(0, self.asked())
        self.assertEqual(1, self.bridge.snapshot.headroom_allows)
        self.call(tokens=1)   # 2,000 tokens: $0.02 could reach the hard threshold
        self.assertEqual({"action": "block", "message": "from the daemon"}, self.tool())
        self.assertEqual(1, self.asked())

    def test_each_uncounted_call_is_bounded_by_whole_micro_dollars_as_the_daemon_rounds_it(self):
        # $0.10 per million tokens: a 6-token call costs 0.6 micro-dollars exactly, and the daemon counts 1.
        bounds = {"openai": {"gpt-4o": 100_000}}
        room = {"s1": {"micros": 9, "provider": "openai", "model": "gpt-4o"}}
        self.call()
        name, counted = self.bridge.journal.position()
        for _ in range(8):
            self.call(tokens=6)
        self.publish(journals={name: counted}, headroom=room, price_bounds=bounds)
        self.assertIsNone(self.tool(), "8 calls count at most 8 micro-dollars: inside 9")
        self.assertEqual(0, self.asked())
        self.call(tokens=6)   # 9 calls of 0.6 (5.4 exactly) may count 9: no longer provably inside
        self.publish(journals={name: counted}, headroom=room, price_bounds=bounds)
        self.assertEqual({"action": "block", "message": "from the daemon"}, self.tool())
        self.assertEqual(1, self.asked())

    def test_a_call_without_a_bound_or_to_another_model_sends_the_hook_to_the_daemon(self):
        room = {"s1": {"micros": 10 ** 6, "provider": "openai", "model": "gpt-4o"}}   # $1
        cases = [
            ("a model with no price bound", dict(model="mystery-model")),
            ("the session's call to another model (new scopes)", dict(model="gpt-4.1")),
            ("no usage: the daemon estimates", dict(usage=None)),
            ("a count that is not an int", dict(usage={"input_tokens": 1.5})),
            ("a negative count", dict(usage={"input_tokens": -100, "output_tokens": 5})),
            ("another model served", dict(response_model="gpt-4o-2024-11-20")),
            ("a huge count", dict(usage={"input_tokens": 10 ** 9, "output_tokens": 10 ** 9})),
        ]
        bounds = {"openai": {"gpt-4o": 10_000_000, "gpt-4.1": 8_000_000}}
        asked = 0
        for why, extra in cases:
            self.call(**extra)
            name, offset = self.bridge.journal.position()
            self.publish(journals={name: offset}, headroom=room, price_bounds=bounds)
            self.assertIsNone(self.tool(), "counted: from the file")
            self.call()
            self.call(**extra)
            self.publish(journals={name: offset}, headroom=room, price_bounds=bounds)
            self.assertEqual({"action": "block", "message": "from the daemon"}, self.tool(), why)
            asked += 1
            self.assertEqual(asked, self.asked(), why)

    def test_a_block_is_given_from_the_file_whatever_was_journaled_since(self):
        self.publish(sessions={"s1": BLOCK})
        self.call(model="mystery-model")
        self.assertEqual({"action": "block", "message": BLOCK}, self.tool())
        self.assertEqual(0, self.asked())

    def test_an_odd_headroom_or_bound_is_not_used(self):
        self.call()
        name, offset = self.bridge.journal.position()
        self.call()
        for headroom, bounds in (({"s1": {"micros": "9999", "provider": "openai", "model": "gpt-4o"}}, self.BOUNDS),
                                 ({"s1": {"micros": True, "provider": "openai", "model": "gpt-4o"}}, self.BOUNDS),
                                 ({"s1": {"micros": 10 ** 9, "provider": "openai"}}, self.BOUNDS),
                                 ({"s1": {"micros": 10 ** 9, "provider": "openai", "model": "gpt-4o"}},
                                  {"openai": {"gpt-4o": -1}}),
                                 ({"s1": {"micros": 10 ** 9, "provider": "openai", "model": "gpt-4o"}},
                                  {"openai": {"gpt-4o": 1.5}}),
                                 ([], self.BOUNDS)):
            self.publish(journals={name: offset}, headroom=headroom, price_bounds=bounds)
            self.assertEqual({"action": "block", "message": "from the daemon"}, self.tool(), (headroom, bounds))

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


class QuietLlmCallTest(SnapshotSelectionTest):
    """pre_llm_call answered "nothing" from the file only when the daemon lists the session as quiet and nothing since
    could have made a notice due; the rule for calls journaled since is pre_tool_call's, against the notice headroom."""

    NOTICE = "[Plutus] Budget notice: global daily spend is $0.85 of $1 (85%). Keep the remaining work short."
    BOUNDS = {"openai": {"gpt-4o": 10_000_000}}

    def setUp(self):
        super().setUp()
        self.channel.replies["pre_llm_call"] = {"context": self.NOTICE}

    @staticmethod
    def room(micros=10 ** 6, **fields):
        entry = {"micros": micros, "provider": "openai", "model": "gpt-4o", "platform": "cli", "sender": "u1"}
        entry.update(fields)
        return {"s1": entry}

    def llm(self, session="s1", **kwargs):
        kwargs.setdefault("platform", "cli")
        kwargs.setdefault("model", "gpt-4o")
        return self.ctx.hooks["pre_llm_call"](session_id=session, user_message="hi", conversation_history=[], **kwargs)

    def llm_asked(self):
        return len([e for e, _ in self.channel.requests if e == "pre_llm_call"])

    def test_a_quiet_session_gets_nothing_from_the_file_and_any_other_asks_the_daemon(self):
        self.publish(llm_quiet=self.room())
        self.assertIsNone(self.llm())
        self.assertIsNone(self.llm(sender_id="u1"))
        self.assertIsNone(self.llm(sender_id=""))   # an empty sender is not recorded by the daemon either
        self.assertEqual(0, self.llm_asked())
        self.assertEqual({"snapshot": 3, "daemon": 0}, self.bridge.llm_answered_by)
        self.assertEqual({"context": self.NOTICE}, self.llm(session="s2"))   # not listed: something due, or unknown
        self.assertEqual(1, self.llm_asked())

    def test_a_hook_that_would_change_the_session_asks_the_daemon(self):
        self.publish(llm_quiet=self.room())
        for why, kwargs in (("another model", dict(model="gpt-4.1")), ("another platform", dict(platform="telegram")),
                            ("another sender (new scopes)", dict(sender_id="u2")), ("a model that is not text", dict(model=5))):
            before = self.llm_asked()
            self.assertEqual({"context": self.NOTICE}, self.llm(**kwargs), why)
            self.assertEqual(before + 1, self.llm_asked(), why)

    def test_the_files_own_pre_llm_call_validity_and_an_older_daemons_file_are_kept_to(self):
        self.publish(llm_quiet=self.room(), llm_valid_for_ms=-1)   # valid for pre_tool_call, not for pre_llm_call
        self.assertEqual({"context": self.NOTICE}, self.llm())
        self.assertIsNone(self.tool())   # the tool answer from the same file stands
        self.publish()   # no llm members at all
        self.assertEqual({"context": self.NOTICE}, self.llm())
        self.publish(llm_quiet={"s1": {"micros": -1, "provider": "openai", "model": "gpt-4o", "platform": "cli",
                                       "sender": None}})
        self.assertEqual({"context": self.NOTICE}, self.llm())
        self.publish(generation=100, llm_quiet=self.room())
        self.bridge.snapshot.saw(101)   # a daemon answer newer than the file
        self.assertEqual({"context": self.NOTICE}, self.llm())
        self.assertEqual(4, self.llm_asked())

    def test_calls_journaled_since_count_against_the_money_before_the_next_notice(self):
        self.call()
        name, counted = self.bridge.journal.position()
        self.call(tokens=1000)
        self.call(session="s2", tokens=999)
        # 1,999 tokens at $10 per million at most: $0.01999, under $0.02 before the next notice.
        self.publish(journals={name: counted}, price_bounds=self.BOUNDS, llm_quiet=self.room(micros=20_000))
        self.assertIsNone(self.llm())
        self.assertEqual(0, self.llm_asked())
        self.call(tokens=1)   # $0.02 could reach the next threshold: the daemon hands out what is due
        self.assertEqual({"context": self.NOTICE}, self.llm())
        self.assertEqual(1, self.llm_asked())
        for why, extra in (("no price bound: it may be priced provisionally, a notice", dict(model="mystery-model")),
                           ("no usage: the daemon estimates", dict(usage=None))):
            self.call(**extra)
            name, offset = self.bridge.journal.position()
            self.publish(journals={name: offset - 1}, price_bounds=self.BOUNDS, llm_quiet=self.room(micros=10 ** 9))
            before = self.llm_asked()
            self.assertEqual({"context": self.NOTICE}, self.llm(), why)
            self.assertEqual(before + 1, self.llm_asked(), why)
        # No money before the next notice: quiet only while nothing is journaled since.
        name, offset = self.bridge.journal.position()
        self.publish(journals={name: offset}, price_bounds=self.BOUNDS, llm_quiet=self.room(micros=0))
        self.assertIsNone(self.llm())
        self.call(tokens=0)
        self.assertEqual({"context": self.NOTICE}, self.llm())

    def test_a_stopped_session_still_hears_why_from_the_bridge(self):
        self.bridge.stopped["s1"] = "Plutus: budget exhausted."
        self.publish(llm_quiet=self.room())
        reply = self.llm()
        self.assertIn("Plutus stopped this run", reply["context"])
        self.assertEqual(0, self.llm_asked())


# QuietLlmCallTest borrows SnapshotSelectionTest's set-up and helpers; its tests run once, there.
for _name in [n for n in dir(SnapshotSelectionTest) if n.startswith("test_") and n not in QuietLlmCallTest.__dict__]:
    setattr(QuietLlmCallTest, _name, None)
