"""The bridge's hook journal: hooks without a verdict are one line in an owner-only, locked, append-only file."""
import fcntl
import json
import os
import shutil
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "src", "main", "python"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plutus_bridge  # noqa: E402
from test_bridge import FakeDaemon, HOOKS, fixture  # noqa: E402
from hermes_driver import RecordingContext  # noqa: E402


class JournalTest(unittest.TestCase):
    def setUp(self):
        self.home = tempfile.mkdtemp(prefix="plutus-journal-")
        self.addCleanup(shutil.rmtree, self.home, True)
        self.settings = {"plutus_home": self.home, "timeout_ms": 1000, "command_timeout_ms": 2000, "fail_mode": "open",
                         "autostart": False, "launcher": "plutus", "hooks": HOOKS, "commands": [],
                         "hermes_config": os.path.join(self.home, "none.yaml")}

    def register(self):
        ctx = RecordingContext()
        bridge = plutus_bridge.register(ctx, dict(self.settings))
        self.addCleanup(bridge.journal.close)
        return ctx, bridge

    def journals(self):
        d = os.path.join(self.home, "hook-journal")
        return sorted(f for f in os.listdir(d) if f.endswith(".jsonl") and not f.startswith(".")) if os.path.isdir(d) else []

    def lines(self, name):
        with open(os.path.join(self.home, "hook-journal", name), encoding="utf-8") as f:
            return [json.loads(line) for line in f]

    def test_hooks_without_a_verdict_are_journaled_and_never_sent(self):
        daemon = FakeDaemon(self.home)
        self.addCleanup(daemon.stop)
        ctx, _ = self.register()
        call = fixture("post_api_request-anthropic-cache.json")
        self.assertIsNone(ctx.hooks["post_api_request"](**call))
        self.assertIsNone(ctx.hooks["post_tool_call"](session_id="s1", tool_name="terminal", tool_call_id="t1", result="x"))
        self.assertEqual([], daemon.hook_bodies(), "nothing went to the daemon")
        (name,) = self.journals()
        self.assertTrue(name.startswith("%s-%d-" % (os.uname().nodename, os.getpid())), name)
        self.assertEqual(0o600, os.stat(os.path.join(self.home, "hook-journal", name)).st_mode & 0o777)
        (api, tool) = self.lines(name)
        self.assertEqual(("post_api_request", call["api_request_id"], call["usage"]),
                         (api["event"], api["kwargs"]["api_request_id"], api["kwargs"]["usage"]))
        self.assertEqual(32, len(api["kwargs"]["_plutus_event_id"]))
        self.assertEqual("post_tool_call", tool["event"])
        self.assertNotIn("result", tool["kwargs"], "heavy fields stay out, as on the wire")

    def test_a_verdict_names_the_journal_and_offset_written_so_far(self):
        daemon = FakeDaemon(self.home)
        self.addCleanup(daemon.stop)
        ctx, bridge = self.register()
        self.assertIsNone(ctx.hooks["pre_tool_call"](session_id="s1", tool_name="terminal"))
        ctx.hooks["post_api_request"](**fixture("post_api_request-anthropic-cache.json"))
        ctx.hooks["pre_tool_call"](session_id="s1", tool_name="terminal", args={"command": "ls"})
        (first, f), (second, s) = daemon.hook_bodies()
        self.assertNotIn("_plutus_journal", f, "nothing journaled yet: nothing to wait for")
        (name,) = self.journals()
        size = os.path.getsize(os.path.join(self.home, "hook-journal", name))
        self.assertEqual((name, size), (s["_plutus_journal"], s["_plutus_journal_offset"]))
        self.assertEqual(bridge.s["timeout_ms"], s["_plutus_timeout_ms"],
                         "the daemon gives up catching up in time to answer before the bridge stops waiting")
        self.assertNotIn("args", s, "a verdict hook sends only what the daemon reads")

    def test_pre_api_request_after_the_middlewares_answer_is_journaled_and_otherwise_asked(self):
        daemon = FakeDaemon(self.home)
        self.addCleanup(daemon.stop)
        ctx, bridge = self.register()
        context = {"session_id": "s1", "api_request_id": "t1:api:1", "provider": "anthropic", "model": "claude-sonnet-4-6",
                   "platform": "cli", "api_mode": "anthropic_messages"}
        request = {"model": "claude-sonnet-4-6", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 4096}
        self.assertIsNone(ctx.middleware["llm_request"](request=request, **context))
        pre = dict(context, approx_input_tokens=12, max_tokens=4096, request={"body": request})
        self.assertIsNone(ctx.hooks["pre_api_request"](**pre))
        self.assertIsNone(ctx.hooks["pre_api_request"](**pre), "a retry of the same request")
        self.assertEqual(["llm_request"], [e for e, _ in daemon.hook_bodies()], "the middleware asked; the hook did not")
        (name,) = self.journals()
        lines = self.lines(name)
        self.assertEqual(["pre_api_request", "pre_api_request"], [line["event"] for line in lines])
        self.assertEqual((12, 4096, "t1:api:1"), (lines[0]["kwargs"]["approx_input_tokens"], lines[0]["kwargs"]["max_tokens"],
                                                    lines[0]["kwargs"]["api_request_id"]))
        self.assertNotIn("request", lines[0]["kwargs"], "only what the daemon reads is journaled")
        self.assertEqual({"journal": 2, "daemon": 0}, bridge.api_answered_by)

        # Not decided by the middleware: another request, a fallback to another provider, another session.
        for other in (dict(pre, api_request_id="t1:api:2"), dict(pre, provider="openrouter"), dict(pre, session_id="s2")):
            ctx.hooks["pre_api_request"](**other)
        self.assertEqual(["llm_request"] + ["pre_api_request"] * 3, [e for e, _ in daemon.hook_bodies()])

        # A middleware that got no answer (the daemon refused the question) leaves its request's hook to ask.
        daemon.statuses["llm_request"] = 503
        ctx.middleware["llm_request"](request=request, **dict(context, api_request_id="t1:api:3"))
        ctx.hooks["pre_api_request"](**dict(pre, api_request_id="t1:api:3"))
        self.assertEqual("pre_api_request", daemon.hook_bodies()[-1][0])
        self.assertEqual({"journal": 2, "daemon": 4}, bridge.api_answered_by)

    def test_the_requests_remembered_for_the_middleware_are_bounded(self):
        daemon = FakeDaemon(self.home)
        self.addCleanup(daemon.stop)
        ctx, bridge = self.register()
        for i in range(plutus_bridge.MAX_HELD_REQUESTS + 10):
            bridge._note_held({"session_id": "s", "api_request_id": "r%d" % i, "provider": "p", "model": "m"})
        self.assertEqual(plutus_bridge.MAX_HELD_REQUESTS, len(bridge.held_by_middleware))
        self.assertFalse(bridge._held_by_middleware({"session_id": "s", "api_request_id": "r0", "provider": "p", "model": "m"}),
                         "the oldest is forgotten: its hook asks the daemon again")
        self.assertTrue(bridge._held_by_middleware({"session_id": "s", "api_request_id": "r%d" % (plutus_bridge.MAX_HELD_REQUESTS + 9),
                                                    "provider": "p", "model": "m"}))

    def test_a_reply_carries_its_own_requests_size_whatever_the_daemon_reads_first(self):
        daemon = FakeDaemon(self.home)
        self.addCleanup(daemon.stop)
        ctx, bridge = self.register()
        pre = {"session_id": "s1", "api_request_id": "t1:api:1", "provider": "deepseek", "model": "deepseek-v4-flash",
               "platform": "cli", "approx_input_tokens": 5480, "max_tokens": 4096}
        ctx.hooks["pre_api_request"](**pre)
        ctx.hooks["pre_api_request"](**dict(pre, session_id="s2", approx_input_tokens=77))
        post = {"session_id": "s1", "api_request_id": "t1:api:1", "provider": "deepseek", "model": "deepseek-v4-flash",
                "usage": None, "assistant_content_chars": 86}
        ctx.hooks["post_api_request"](**post)
        self.assertNotIn("_plutus_approx_input_tokens", post, "Hermes's own kwargs are left alone")
        ctx.hooks["post_api_request"](**post)   # reported twice: the size went with the first
        ctx.hooks["post_api_request"](**dict(post, session_id="s2"))
        (name,) = self.journals()
        sizes = [line["kwargs"].get("_plutus_approx_input_tokens") for line in self.lines(name)]
        self.assertEqual([5480, None, 77], sizes)
        self.assertEqual({}, dict(bridge.request_sizes), "nothing is kept once reported")

        # Sizes that are no size are not carried; the memory is bounded like the middleware's.
        for bad in (-1, 0, float("nan"), float("inf"), True, "5480", None):
            ctx.hooks["pre_api_request"](**dict(pre, api_request_id="bad", approx_input_tokens=bad))
        self.assertEqual({}, dict(bridge.request_sizes))
        for i in range(plutus_bridge.MAX_HELD_REQUESTS + 10):
            bridge._note_request_size({"session_id": "s", "api_request_id": "r%d" % i, "approx_input_tokens": 10})
        self.assertEqual(plutus_bridge.MAX_HELD_REQUESTS, len(bridge.request_sizes))
        self.assertNotIn(("s", "r0"), bridge.request_sizes)

    def test_the_writer_holds_a_lock_the_daemon_can_probe_and_gives_it_up_on_rotation(self):
        self.settings["hooks"] = ["post_tool_call"]
        _, bridge = self.register()
        bridge.journal.max_bytes = 300
        for i in range(6):
            bridge.on_hook("post_tool_call", {"session_id": "s1", "tool_name": "terminal", "tool_call_id": "t%d" % i})
        names = self.journals()
        self.assertGreater(len(names), 1, "rotated past max_bytes")
        for n in names:
            # Another process's lock shows as EAGAIN/EACCES to fcntl; a forked child is another process.
            pid = os.fork()
            if pid == 0:
                fd = os.open(os.path.join(self.home, "hook-journal", n), os.O_RDONLY)
                try:
                    fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
                    os._exit(0)   # unlocked: its writer moved on
                except OSError:
                    os._exit(1)   # locked: still being written
            _, status = os.waitpid(pid, 0)
            locked = os.WEXITSTATUS(status) == 1
            self.assertEqual(n == names[-1], locked, "%s locked=%s; only the current file is held" % (n, locked))
        # Read only now: closing any descriptor of a file drops this process's POSIX lock on it.
        self.assertEqual(6, sum(len(self.lines(n)) for n in names), "no line lost or split across files")

    def test_an_unwritable_journal_sends_the_event_to_the_spool(self):
        with open(os.path.join(self.home, "hook-journal"), "w") as f:   # a file where the directory should be
            f.write("not a directory")
        ctx, bridge = self.register()
        call = fixture("post_api_request-anthropic-cache.json")
        self.assertIsNone(ctx.hooks["post_api_request"](**call))
        spool = os.path.join(self.home, "spool")
        (name,) = os.listdir(spool)
        with open(os.path.join(spool, name)) as f:
            (line,) = [json.loads(x) for x in f]
        self.assertEqual(("post_api_request", call["api_request_id"]), (line["event"], line["kwargs"]["api_request_id"]))
        self.assertIsNotNone(bridge.journal_problem)


if __name__ == "__main__":
    unittest.main()


class FastBodyTest(unittest.TestCase):
    """Plain kwargs skip clean(): the body must be what the careful path would have sent, and anything odd takes that path."""

    def setUp(self):
        self.bridge = plutus_bridge.Bridge({"plutus_home": tempfile.mkdtemp(prefix="plutus-fast-"), "timeout_ms": 250,
                                            "journal": False, "fail_mode": "open", "autostart": False, "launcher": "plutus"})
        self.addCleanup(shutil.rmtree, self.bridge.home, True)

    def careful(self, event, kwargs):
        return json.loads(plutus_bridge.fit(plutus_bridge.clean(plutus_bridge.slim(event, kwargs)), plutus_bridge.MAX_BODY_BYTES))

    def sent(self, event, kwargs):
        return json.loads(self.bridge.payload(event, kwargs))

    def without_stamps(self, body):
        return {k: v for k, v in body.items() if k not in ("_plutus_event_id", "_plutus_ts")}

    def test_plain_kwargs_take_the_fast_path_and_send_what_the_careful_one_would(self):
        call = fixture("post_api_request-anthropic-cache.json")
        nested = dict(call, extra={"a": [1, 2.5, None, True, "x", ("t", 1)], "b": {"c": {"d": [[]]}}}, text="é\u2028\udc80")
        for kwargs in (call, nested):
            body = self.bridge.payload("post_api_request", kwargs)
            self.assertNotIn('", "', body, "compact: the fast path wrote it")
            self.assertEqual(self.without_stamps(self.careful("post_api_request", kwargs)), self.without_stamps(json.loads(body)))
            self.assertEqual(32, len(json.loads(body)["_plutus_event_id"]))
        self.assertTrue(plutus_bridge.plain(plutus_bridge.slim("post_api_request", nested)))

    def test_anything_odd_takes_the_careful_path(self):
        class Odd:
            def __str__(self):
                return "odd!"

        class Label(str):
            pass

        cyclic = {"k": 1}
        cyclic["self"] = cyclic
        deep = []
        for _ in range(plutus_bridge.MAX_DEPTH + 2):
            deep = [deep]
        cases = {"nan": float("nan"), "inf": [float("inf")], "int_keys": {1: "a", True: "b"}, "object": Odd(),
                 "cycle": cyclic, "deep": deep, "str_subclass_key": {Label("x"): 1}}
        for name, value in cases.items():
            kwargs = {"session_id": "s1", "api_request_id": "r1", "usage": {"input_tokens": 1}, "v": value}
            self.assertFalse(plutus_bridge.plain(plutus_bridge.slim("post_api_request", kwargs)), name)
            self.assertEqual(self.without_stamps(self.careful("post_api_request", kwargs)),
                             self.without_stamps(self.sent("post_api_request", kwargs)), name)
        self.assertIsNone(self.sent("post_api_request", {"v": float("nan")})["v"])
        self.assertEqual("odd!", self.sent("post_api_request", {"v": Odd()})["v"])

    def test_a_plain_body_over_the_limit_is_trimmed_as_before(self):
        self.bridge.s["max_body_bytes"] = 2000
        kwargs = {"session_id": "s1", "api_request_id": "r1", "usage": {"input_tokens": 5}, "notes": "x" * 5000}
        body = self.bridge.payload("post_api_request", kwargs)
        self.assertLessEqual(len(body.encode("utf-8")), 2000)
        self.assertEqual(["notes"], json.loads(body)["_plutus_trimmed"])
        self.assertEqual({"input_tokens": 5}, json.loads(body)["usage"])
