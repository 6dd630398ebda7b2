"""Unit tests for the Hermes bridge: register(ctx) with a recording context, a fake daemon on loopback."""
import glob
import io
import http.server
import json
import os
import shutil
import socket
import socketserver
import sys
import tempfile
import threading
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "src", "main", "python"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plutus_bridge  # noqa: E402
from plutus_bridge import shell_hook  # noqa: E402
from hermes_driver import RecordingContext  # noqa: E402

FIXTURES = os.path.join(os.environ.get("PLUTUS_FIXTURES_DIR", os.path.join(ROOT, "tests", "fixtures")), "hermes")
HOOKS = ["on_session_start", "pre_llm_call", "pre_api_request", "post_api_request", "api_request_error",
         "pre_tool_call", "post_tool_call", "post_llm_call", "subagent_start", "subagent_stop", "on_session_end",
         "on_session_finalize", "on_session_reset"]


class FakeDaemon:
    """Answers /hooks/<event> with whatever `replies` says for that event (default {}), after `delay`."""

    def __init__(self, home, token="t0ken", unix=False):
        """unix: listen only on a Unix socket in home, published in daemon.json next to a TCP port nobody answers."""
        self.requests, self.replies, self.delay, self.statuses = [], {}, 0.0, {}
        self.max_body, self.refused_for_size = None, 0   # body limit in bytes (None: any), bodies refused for it
        self.connections = 0   # connections accepted
        self.headers = {}      # sent with every answer
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                outer.connections += 1
                super().setup()

            def do_POST(self):
                if outer.max_body is not None and int(self.headers.get("Content-Length", 0)) > outer.max_body:
                    # As the daemon does: refuse at once, without reading the body, and close.
                    outer.refused_for_size += 1
                    self.close_connection = True
                    return self._send(413, b'{"error":"request body over the limit"}', close=True)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.headers.get("Authorization") != "Bearer " + token:
                    return self._send(401, b'{"error":"token"}')
                time.sleep(outer.delay)
                outer.requests.append((self.path, body))
                if self.path.startswith("/commands/"):
                    return self._send(200, ("ran " + self.path + " with '" + body.decode() + "'").encode())
                event = self.path[len("/hooks/"):]
                try:   # as strict as the daemon: NaN and Infinity are not JSON
                    json.loads(body, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
                except ValueError as e:
                    return self._send(400, json.dumps({"error": "malformed JSON: %s" % e}).encode())
                if event in outer.statuses:
                    return self._send(outer.statuses[event], b'{"error":"refused"}')
                self._send(200, json.dumps(outer.replies.get(event, {})).encode())

            def _send(self, code, payload, close=False):
                self.send_response(code)
                self.send_header("Content-Length", str(len(payload)))
                for name, value in outer.headers.items():
                    self.send_header(name, value)
                if close:
                    self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        info = {"pid": os.getpid(), "host": "127.0.0.1"}
        if unix:
            Handler.address_string = lambda self: "unix"
            info["socket"] = os.path.join(home, "daemon.sock")
            self.server = UnixHTTPServer(info["socket"], Handler)
            info["port"] = unused_port()
        else:
            self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
            info["port"] = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        with open(os.path.join(home, "daemon.json"), "w") as f:
            json.dump(info, f)
        with open(os.path.join(home, "daemon.token"), "w") as f:
            f.write(token + "\n")

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def hook_bodies(self):
        return [(p[len("/hooks/"):], json.loads(b)) for p, b in self.requests if p.startswith("/hooks/")]


class UnixHTTPServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def unused_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as f:
        return json.load(f)


class BridgeTest(unittest.TestCase):
    def setUp(self):
        self.home = tempfile.mkdtemp(prefix="plutus-bridge-")
        self.paused = []
        self.settings = {"plutus_home": self.home, "timeout_ms": 250, "command_timeout_ms": 2000, "fail_mode": "open",
                         "autostart": False, "launcher": "plutus", "hooks": HOOKS,
                         "commands": [{"name": "stats"}, {"name": "budget"}, {"name": "setup"}],
                         "hermes_config": os.path.join(self.home, "no-hermes-config.yaml"),
                         # These tests read every hook at the fake daemon; the journal has its own tests below.
                         "journal": False}
        self.daemon = None

    def tearDown(self):
        if self.daemon:
            self.daemon.stop()
        shutil.rmtree(self.home, ignore_errors=True)

    def test_hooks_on_a_fresh_thread_each_reuse_one_connection(self):
        # Newer Hermes runs every hook callback on a new worker thread: the bridge must not connect per hook.
        for unix in (False, True):
            home = tempfile.mkdtemp(prefix="plutus-bridge-pool-")
            self.addCleanup(shutil.rmtree, home, True)
            daemon = FakeDaemon(home, unix=unix)
            self.addCleanup(daemon.stop)
            ctx, _ = self.register(plutus_home=home)
            call = fixture("post_api_request-anthropic-cache.json")
            for i in range(30):
                worker = threading.Thread(target=ctx.hooks["post_api_request"], kwargs=dict(call, api_request_id="r%d" % i))
                worker.start()
                worker.join()
            self.assertEqual(30, len(daemon.hook_bodies()), "unix=%s" % unix)
            self.assertEqual(1, daemon.connections, "unix=%s: one connection reused by 30 threads" % unix)
            self.assertEqual([], os.listdir(os.path.join(home, "spool")) if os.path.isdir(os.path.join(home, "spool")) else [])

    def test_concurrent_hooks_open_at_most_one_connection_each_and_keep_them(self):
        self.daemon = FakeDaemon(self.home)
        self.daemon.delay = 0.05
        ctx, bridge = self.register()
        call = fixture("post_api_request-anthropic-cache.json")

        def burst(tag):
            workers = [threading.Thread(target=ctx.hooks["post_api_request"], kwargs=dict(call, api_request_id="%s%d" % (tag, i)))
                       for i in range(6)]
            for w in workers:
                w.start()
            for w in workers:
                w.join()

        burst("a")
        first = self.daemon.connections
        self.assertTrue(1 <= first <= 6, first)
        burst("b")
        self.assertEqual(12, len(self.daemon.hook_bodies()))
        self.assertLessEqual(self.daemon.connections, 6 + 6 - min(first, plutus_bridge.transport.MAX_IDLE),
                             "the second burst reuses the connections the first one left idle")

    def register(self, **overrides):
        ctx = RecordingContext()
        bridge = plutus_bridge.register(ctx, dict(self.settings, **overrides))
        bridge.pause_job = lambda job_id, reason=None: self.paused.append((job_id, reason))
        self.addCleanup(bridge.close)
        return ctx, bridge

    def spooled(self):
        out = []
        for path in glob.glob(os.path.join(self.home, "spool", "*.jsonl")):
            with open(path) as f:
                out += [json.loads(line) for line in f if line.strip()]
        return out

    def test_registers_every_hook_command_and_the_request_middleware(self):
        ctx, _ = self.register()
        self.assertEqual(sorted(HOOKS), sorted(ctx.hooks))
        self.assertEqual({"stats", "budget", "setup"}, set(ctx.commands))
        self.assertIn("llm_request", ctx.middleware)

    def test_every_fixture_payload_is_forwarded_slim_with_an_id_and_time(self):
        self.daemon = FakeDaemon(self.home)
        ctx, _ = self.register()
        sent = 0
        for path in sorted(glob.glob(os.path.join(FIXTURES, "*.json"))):
            name = os.path.basename(path)[:-5]
            hook = next((h for h in HOOKS if name == h or name.startswith(h + "-")), None)
            if hook is None:
                continue
            kwargs = fixture(os.path.basename(path))
            self.assertIsNone(ctx.hooks[hook](**kwargs), name)
            sent += 1
        bodies = self.daemon.hook_bodies()
        self.assertEqual(sent, len(bodies))
        self.assertGreaterEqual(sent, 20)
        ids = set()
        for hook, body in bodies:
            self.assertNotIn("conversation_history", body)
            self.assertNotIn("request", body)
            self.assertNotIn("response", body)
            self.assertIsInstance(body["_plutus_ts"], float)
            ids.add(body["_plutus_event_id"])
        self.assertEqual(sent, len(ids), "every firing gets its own id")
        usage = [b for h, b in bodies if h == "post_api_request" and b.get("usage")]
        self.assertTrue(usage and all("cache_read_tokens" in b["usage"] for b in usage))
        no_usage = [b for h, b in bodies if h == "post_api_request" and b.get("usage") is None]
        self.assertTrue(no_usage and "_plutus_tool_call_chars" in no_usage[0])
        self.assertEqual([], self.spooled())

    def test_event_ids_differ_across_threads_and_in_a_forked_child(self):
        # Ids are a per-process random prefix and a count: a forked child must not repeat its parent's.
        ids, lock = [], threading.Lock()

        def draw():
            mine = [plutus_bridge.event_id() for _ in range(2000)]
            with lock:
                ids.extend(mine)

        workers = [threading.Thread(target=draw) for _ in range(8)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        self.assertEqual(16000, len(set(ids)))
        self.assertTrue(all(len(i) == 32 and int(i, 16) >= 0 for i in ids))
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.write(write, " ".join(plutus_bridge.event_id() for _ in range(100)).encode("ascii"))
            finally:
                os._exit(0)
        os.close(write)
        os.waitpid(pid, 0)
        with os.fdopen(read, "rb") as f:
            child = f.read().decode("ascii").split()
        parent = [plutus_bridge.event_id() for _ in range(100)]
        self.assertEqual(100, len(child))
        self.assertEqual(set(), (set(child) | set(ids)) & set(parent), "a forked child draws ids of its own")
        self.assertEqual(set(), set(child) & set(ids))
        self.assertNotEqual(child[0][:16], parent[0][:16])

    def test_block_context_and_cron_pause_are_carried_out_once(self):
        self.daemon = FakeDaemon(self.home)
        self.daemon.replies["pre_tool_call"] = {"action": "block", "message": "global daily $5.00 spent",
                                                "pause_cron_job": {"job_id": "d200f53be09d", "reason": "daily cap"}}
        self.daemon.replies["pre_llm_call"] = {"context": "Budget notice: 85% of daily"}
        ctx, _ = self.register()
        kwargs = fixture("pre_tool_call.json")
        first = ctx.hooks["pre_tool_call"](**kwargs)
        self.assertEqual({"action": "block", "message": "global daily $5.00 spent"}, first)
        ctx.hooks["pre_tool_call"](**kwargs)
        self.assertEqual([("d200f53be09d", "daily cap")], self.paused)
        self.assertEqual({"context": "Budget notice: 85% of daily"}, ctx.hooks["pre_llm_call"](**fixture("pre_llm_call.json")))

    def test_a_cron_job_resumed_by_the_user_is_paused_again_in_the_next_period(self):
        # The daemon asks once per job, window and period; its reason names the period.
        self.daemon = FakeDaemon(self.home)
        ctx, _ = self.register()
        kwargs = fixture("pre_tool_call.json")

        def over_budget(period):
            self.daemon.replies["pre_tool_call"] = {
                "action": "block", "message": "global daily $5.00 spent",
                "pause_cron_job": {"job_id": "d200f53be09d",
                                   "reason": "Plutus: global daily spend is $5.01 of $5 (100%%) (%s)" % period}}

        over_budget("2026-11-24")
        ctx.hooks["pre_tool_call"](**kwargs)
        ctx.hooks["pre_tool_call"](**kwargs)   # the same request delivered again: still one pause
        self.assertEqual(1, len(self.paused))
        self.daemon.replies["pre_tool_call"] = {}   # the user resumed the job; the budget reset at midnight
        ctx.hooks["pre_tool_call"](**kwargs)
        over_budget("2026-11-25")
        ctx.hooks["pre_tool_call"](**kwargs)
        ctx.hooks["pre_tool_call"](**kwargs)
        self.assertEqual([("d200f53be09d", "Plutus: global daily spend is $5.01 of $5 (100%) (2026-11-24)"),
                          ("d200f53be09d", "Plutus: global daily spend is $5.01 of $5 (100%) (2026-11-25)")], self.paused)

    def test_a_pause_the_cron_api_refused_is_not_retried_within_its_period(self):
        self.daemon = FakeDaemon(self.home)
        self.daemon.replies["pre_tool_call"] = {"pause_cron_job": {"job_id": "j1", "reason": "cap (2026-11-24)"}}
        ctx, bridge = self.register()
        attempts = []

        def refuse(job_id, reason=None):
            attempts.append(job_id)
            raise RuntimeError("no such job")

        bridge.pause_job = refuse
        self.assertIsNone(ctx.hooks["pre_tool_call"](**fixture("pre_tool_call.json")), "a failed pause never raises")
        ctx.hooks["pre_tool_call"](**fixture("pre_tool_call.json"))
        self.assertEqual(["j1"], attempts)

    def test_a_cron_session_stopped_at_start_gets_a_tiny_request_and_a_stop_notice(self):
        self.daemon = FakeDaemon(self.home)
        self.daemon.replies["on_session_start"] = {"stop_session": {"reason": "cron_job d200f53be09d is over its daily budget."}}
        self.daemon.replies["llm_request"] = {"action": "block", "message": "cron_job d200f53be09d is over its daily budget."}
        ctx, _ = self.register()
        start = fixture("on_session_start-cron.json")
        self.assertIsNone(ctx.hooks["on_session_start"](**start))
        note = ctx.hooks["pre_llm_call"](session_id=start["session_id"], platform="cron")
        self.assertIn("over its daily budget", note["context"])
        request = {"model": "deepseek-v4-pro", "messages": [{"role": "user", "content": "x" * 5000}], "tools": [{}]}
        shrunk = ctx.middleware["llm_request"](request=request, session_id=start["session_id"],
                                               api_mode="chat_completions")["request"]
        self.assertEqual(16, shrunk["max_tokens"])
        self.assertNotIn("tools", shrunk)
        self.assertLess(len(json.dumps(shrunk["messages"])), 200)
        self.daemon.replies["llm_request"] = {}   # another session, under budget
        self.assertIsNone(ctx.middleware["llm_request"](request=request, session_id="other"))

    def test_a_chat_only_session_in_hard_breach_is_stopped_until_its_budget_resets(self):
        self.daemon = FakeDaemon(self.home)
        self.daemon.replies["pre_api_request"] = {"action": "block", "message": "global daily $5.00 of $5.00 spent"}
        ctx, _ = self.register()
        pre = fixture("pre_api_request.json")
        request = {"model": "m", "messages": [{"role": "user", "content": "long"}], "max_tokens": 4096}
        self.daemon.replies["llm_request"] = self.daemon.replies["pre_api_request"]
        ctx.hooks["pre_api_request"](**pre)
        shrunk = ctx.middleware["llm_request"](request=request, session_id=pre["session_id"])
        self.assertEqual(16, shrunk["request"]["max_tokens"])
        self.daemon.replies["pre_api_request"] = {}
        self.daemon.replies["llm_request"] = {}
        ctx.hooks["pre_api_request"](**pre)
        self.assertIsNone(ctx.middleware["llm_request"](request=request, session_id=pre["session_id"]))

    def test_a_200_answer_that_is_not_a_json_object_is_no_verdict_never_allow(self):
        self.daemon = FakeDaemon(self.home)
        session = "20261124_150000_eeeeee"
        self.daemon.replies["llm_request"] = {"action": "block", "message": "Plutus: budget exhausted."}
        ctx, bridge = self.register(fail_mode="closed")
        request = {"model": "m", "messages": [{"role": "user", "content": "x" * 5000}], "max_tokens": 4096}
        self.assertEqual(16, ctx.middleware["llm_request"](request=request, session_id=session,
                                                           api_mode="chat_completions")["request"]["max_tokens"])
        for odd in ([], "ok", 1, None, [{"action": "allow"}]):
            self.daemon.replies = {e: odd for e in ("llm_request", "pre_tool_call", "pre_llm_call", "post_api_request",
                                                    "pre_api_request", "on_session_start")}
            bridge.down_until = 0.0
            with self.assertLogs("plutus.bridge", "WARNING"):
                shrunk = ctx.middleware["llm_request"](request=request, session_id=session, api_mode="chat_completions")
            self.assertIsNotNone(shrunk, "the last verdict (stop) stands for %r" % (odd,))
            self.assertEqual(16, shrunk["request"]["max_tokens"])
            bridge.down_until = 0.0
            tool = ctx.hooks["pre_tool_call"](**fixture("pre_tool_call.json"))
            self.assertEqual("block", (tool or {}).get("action"), "fail_mode closed applies to %r: %r" % (odd, tool))
            self.assertIn("not an object", tool["message"])
            bridge.down_until = 0.0
            note = ctx.hooks["pre_llm_call"](session_id=session, platform="cli")
            self.assertIn("Plutus stopped this run", note["context"])
        # Under fail_mode open the tool runs, but the event is kept for the daemon to replay.
        ctx, bridge = self.register(fail_mode="open")
        self.assertIsNone(ctx.hooks["pre_tool_call"](**fixture("pre_tool_call.json")))
        self.assertTrue(any(e["event"] == "pre_tool_call" for e in self.spooled()))

    def test_a_stopped_anthropic_request_keeps_at_most_one_short_system_line(self):
        self.daemon = FakeDaemon(self.home)
        self.daemon.replies["llm_request"] = {"action": "block", "message": "Plutus: budget exhausted."}
        ctx, _ = self.register()
        request = {"model": "claude-sonnet-4-6", "max_tokens": 64000, "messages": [{"role": "user", "content": "hi"}],
                   "system": [{"type": "text", "text": "s%03d" % i + "y" * 246, "cache_control": {"type": "ephemeral"}}
                              for i in range(400)]}
        shrunk = ctx.middleware["llm_request"](request=request, session_id="s1", api_mode="anthropic_messages")["request"]
        system = shrunk.get("system") or []
        self.assertLessEqual(len(system), 1, "one identity line at most")
        self.assertLessEqual(sum(len(b["text"]) for b in system), plutus_bridge.SHORT_SYSTEM_CHARS)
        self.assertNotIn("cache_control", json.dumps(system))
        self.assertLess(len(json.dumps(shrunk)), 1000)

    def test_a_stopped_request_of_an_unknown_api_mode_with_nothing_to_shrink_is_logged_as_unchanged(self):
        self.daemon = FakeDaemon(self.home)
        self.daemon.replies["llm_request"] = {"action": "block", "message": "Plutus: budget exhausted."}
        ctx, _ = self.register()
        request = {"model": "m", "prompt_parts": ["x" * 5000], "generation": {"limit": 9000}}
        with self.assertLogs("plutus.bridge", "WARNING") as logs:
            out = ctx.middleware["llm_request"](request=request, session_id="s9", api_mode="gemini_native")
        self.assertIsNone(out, "nothing could be shrunk: Hermes sends the request as it was")
        text = "\n".join(logs.output)
        self.assertIn("UNCHANGED", text)
        self.assertIn("gemini_native", text)
        self.assertNotIn("stopped a request", text)

    def test_a_request_naming_no_session_follows_the_daemons_verdict(self):
        self.daemon = FakeDaemon(self.home)
        self.daemon.replies["llm_request"] = {"action": "block", "message": "global daily $5.00 of $5.00 spent"}
        ctx, _ = self.register()
        request = {"model": "m", "messages": [{"role": "user", "content": "x" * 5000}], "max_tokens": 4096}
        for session in (None, "", "   "):
            shrunk = ctx.middleware["llm_request"](request=request, session_id=session, api_mode="chat_completions")
            self.assertEqual(16, shrunk["request"]["max_tokens"], repr(session))
        shrunk = ctx.middleware["llm_request"](request=request, api_mode="chat_completions")
        self.assertEqual(16, shrunk["request"]["max_tokens"], "session_id kwarg missing")

    def test_daemon_down_spools_everything_fails_open_and_warns_once(self):
        ctx, _ = self.register()   # no daemon.json at all
        call = fixture("post_api_request-anthropic-cache.json")
        self.assertIsNone(ctx.hooks["post_api_request"](**call))
        self.assertIsNone(ctx.hooks["pre_tool_call"](**fixture("pre_tool_call.json")))
        warn = ctx.hooks["pre_llm_call"](**fixture("pre_llm_call.json"))
        self.assertIn("unreachable", warn["context"])
        self.assertIsNone(ctx.hooks["pre_llm_call"](**fixture("pre_llm_call.json")), "warned once per session")
        events = [e["event"] for e in self.spooled()]
        self.assertEqual(["post_api_request", "pre_tool_call", "pre_llm_call", "pre_llm_call"], events)
        spooled_call = self.spooled()[0]["kwargs"]
        self.assertEqual(call["api_request_id"], spooled_call["api_request_id"])
        self.assertEqual(call["usage"], spooled_call["usage"])

    def test_spool_files_are_created_owner_only(self):
        ctx, _ = self.register()   # no daemon: everything goes to the spool
        old = os.umask(0o022)
        try:
            ctx.hooks["post_api_request"](**fixture("post_api_request-anthropic-cache.json"))
        finally:
            os.umask(old)
        files = glob.glob(os.path.join(self.home, "spool", "*.jsonl"))
        self.assertEqual(1, len(files))
        self.assertEqual(0o600, os.stat(files[0]).st_mode & 0o777)

    def test_an_unwritable_spool_holds_events_in_memory_says_so_once_and_writes_them_later(self):
        ctx, bridge = self.register()   # no daemon
        blocker = os.path.join(self.home, "spool")
        with open(blocker, "w") as f:
            f.write("a file where the spool directory should be")   # even root cannot create files in it
        call = fixture("post_api_request-anthropic-cache.json")
        with self.assertLogs("plutus.bridge", level="WARNING") as logs:
            ctx.hooks["post_api_request"](**call)
            ctx.hooks["post_tool_call"](**fixture("post_tool_call.json"))
            first = ctx.hooks["pre_llm_call"](**fixture("pre_llm_call.json"))
            second = ctx.hooks["pre_llm_call"](**dict(fixture("pre_llm_call.json"), session_id="another"))
        self.assertEqual(1, sum("cannot write its spool" in line for line in logs.output), logs.output)
        self.assertIn("held in memory", first["context"])
        self.assertNotIn("spool", second["context"], "said once")
        self.assertEqual(4, len(bridge.held), "nothing dropped")
        os.remove(blocker)
        ctx.hooks["on_session_end"](**fixture("on_session_end.json"))
        events = self.spooled()
        self.assertEqual(5, len(events), "held events written first, then the new one")
        self.assertEqual(["post_api_request", "post_tool_call", "pre_llm_call", "pre_llm_call"], [e["event"] for e in events[:4]])
        self.assertEqual(call["api_request_id"], events[0]["kwargs"]["api_request_id"])
        self.assertEqual(0, len(bridge.held))

    def test_the_memory_queue_is_bounded(self):
        ctx, bridge = self.register()
        with open(os.path.join(self.home, "spool"), "w") as f:
            f.write("blocker")
        old = plutus_bridge.MAX_HELD
        plutus_bridge.MAX_HELD = 3
        try:
            for _ in range(5):
                ctx.hooks["post_tool_call"](**fixture("post_tool_call.json"))
        finally:
            plutus_bridge.MAX_HELD = old
        self.assertEqual(3, len(bridge.held))
        self.assertEqual(2, bridge.dropped)

    def shell(self, payload, **overrides):
        out = io.StringIO()
        self.assertEqual(0, shell_hook.main(io.StringIO(payload), out, dict(self.settings, **overrides)))
        return json.loads(out.getvalue())

    def test_shell_hooks_forward_the_hook_kwargs_and_answer_in_the_shell_shape(self):
        self.daemon = FakeDaemon(self.home)
        self.daemon.replies["pre_tool_call"] = {"action": "block", "message": "global daily $5.00 of $5.00 spent"}
        with open(os.path.join(FIXTURES, "shell-hook-stdin-pre_tool_call.json")) as f:
            stdin = f.read()
        self.assertEqual({"action": "block", "message": "global daily $5.00 of $5.00 spent"}, self.shell(stdin))
        with open(os.path.join(FIXTURES, "shell-hook-stdin-post_api_request.json")) as f:
            self.assertEqual({}, self.shell(f.read()))
        (tool_event, tool), (call_event, call) = self.daemon.hook_bodies()
        self.assertEqual(("pre_tool_call", "terminal", "20261124_101500_a1b2c3"), (tool_event, tool["tool_name"], tool["session_id"]))
        self.assertEqual("toolu_01HvY3kq8Qm2ZtWc4nRj6EaB", tool["tool_call_id"])
        self.assertEqual(("post_api_request", 8460), (call_event, call["usage"]["cache_read_tokens"]))

    def test_shell_hooks_spool_while_the_daemon_is_down_and_never_fail(self):
        with open(os.path.join(FIXTURES, "shell-hook-stdin-pre_tool_call.json")) as f:
            stdin = f.read()
        self.assertEqual({}, self.shell(stdin))
        self.assertEqual("block", self.shell(stdin, fail_mode="closed")["action"])
        self.assertEqual(["pre_tool_call", "pre_tool_call"], [e["event"] for e in self.spooled()])
        self.assertEqual({}, self.shell("not json"))

    def test_fail_closed_blocks_tools_while_the_daemon_is_down(self):
        ctx, _ = self.register(fail_mode="closed")
        reply = ctx.hooks["pre_tool_call"](**fixture("pre_tool_call.json"))
        self.assertEqual("block", reply["action"])
        self.assertIn("unreachable", reply["message"])

    def test_a_slow_daemon_costs_two_timeouts_then_events_spool_at_once(self):
        self.daemon = FakeDaemon(self.home)
        self.daemon.delay = 1.0
        ctx, _ = self.register()
        for fixture_name in ("post_tool_call.json", "post_tool_call-error.json"):
            t0 = time.monotonic()
            self.assertIsNone(ctx.hooks["post_tool_call"](**fixture(fixture_name)))
            self.assertLess(time.monotonic() - t0, 0.9)
        t1 = time.monotonic()
        ctx.hooks["post_tool_call"](**fixture("post_tool_call.json"))
        self.assertLess(time.monotonic() - t1, 0.1, "after two slow answers in a row the next event does not wait")
        self.assertEqual(3, len(self.spooled()))

    def test_one_slow_answer_does_not_stop_the_next_hook_from_asking(self):
        # A daemon's first verdict in a fresh JVM may outlast the hook timeout; the stop it decides next must count.
        self.daemon = FakeDaemon(self.home)
        self.daemon.delay = 1.0
        ctx, _ = self.register()
        self.assertIsNone(ctx.hooks["pre_tool_call"](**fixture("pre_tool_call.json")), "fail_mode open: no verdict")
        self.daemon.delay = 0
        self.daemon.replies["pre_tool_call"] = {"action": "block", "message": "budget exhausted"}
        reply = ctx.hooks["pre_tool_call"](**fixture("pre_tool_call.json"))
        self.assertEqual({"action": "block", "message": "budget exhausted"}, reply)

    def test_wrong_token_spools_instead_of_losing_the_event(self):
        self.daemon = FakeDaemon(self.home)
        with open(os.path.join(self.home, "daemon.token"), "w") as f:
            f.write("stale")
        ctx, _ = self.register()
        ctx.hooks["post_api_request"](**fixture("post_api_request-openrouter.json"))
        self.assertEqual(1, len(self.spooled()))

    def test_hooks_and_commands_go_over_the_daemons_unix_socket_when_it_has_one(self):
        self.daemon = FakeDaemon(self.home, unix=True)
        self.daemon.replies["pre_tool_call"] = {"action": "block", "message": "spent"}
        ctx, _ = self.register()
        self.assertEqual({"action": "block", "message": "spent"}, ctx.hooks["pre_tool_call"](**fixture("pre_tool_call.json")))
        for _ in range(3):   # one kept-alive connection
            ctx.hooks["post_tool_call"](**fixture("post_tool_call.json"))
        self.assertIn("ran /commands/stats", ctx.commands["stats"]("today"))
        self.assertEqual(5, len(self.daemon.requests))
        self.assertEqual([], self.spooled())

    def test_a_published_socket_that_is_gone_falls_back_to_tcp(self):
        self.daemon = FakeDaemon(self.home)
        with open(os.path.join(self.home, "daemon.json")) as f:
            info = json.load(f)
        info["socket"] = os.path.join(self.home, "gone.sock")
        with open(os.path.join(self.home, "daemon.json"), "w") as f:
            json.dump(info, f)
        ctx, _ = self.register()
        self.assertIsNone(ctx.hooks["post_tool_call"](**fixture("post_tool_call.json")))
        self.assertEqual(1, len(self.daemon.requests))
        self.assertEqual([], self.spooled())

    def test_a_stopped_cron_run_is_told_why_once_per_turn(self):
        self.daemon = FakeDaemon(self.home)
        block = "Plutus: budget exhausted: cron_job d200f53be09d daily spend is $0.0022 of $0.002 (112%). Tool calls are blocked."
        self.daemon.replies["on_session_start"] = {"stop_session": {"reason": block}}
        self.daemon.replies["pre_llm_call"] = {"context": "[Plutus] " + block[len("Plutus: "):] + " Do not start new work."}
        ctx, _ = self.register()
        start = fixture("on_session_start-cron.json")
        ctx.hooks["on_session_start"](**start)
        note = ctx.hooks["pre_llm_call"](session_id=start["session_id"], platform="cron")["context"]
        self.assertEqual(1, note.count("$0.0022 of $0.002"), note)
        self.assertIn("Plutus stopped this run", note)
        self.daemon.replies["pre_llm_call"] = {}
        note = ctx.hooks["pre_llm_call"](session_id=start["session_id"], platform="cron")["context"]
        self.assertEqual(1, note.count("$0.0022 of $0.002"), "without this turn's notice the reason is given once: " + note)

    def test_fail_closed_does_not_say_budgets_went_unenforced(self):
        ctx, _ = self.register(fail_mode="closed")   # no daemon
        self.assertEqual("block", ctx.hooks["pre_tool_call"](**fixture("pre_tool_call.json"))["action"])
        note = ctx.hooks["pre_llm_call"](**fixture("pre_llm_call.json"))["context"]
        self.assertNotIn("not enforced", note)
        self.assertIn("tools are blocked", note)

    def test_a_hung_daemon_answers_a_command_quickly_and_says_it_runs(self):
        self.daemon = FakeDaemon(self.home)
        self.daemon.delay = 8.0
        settings = dict(self.settings)
        del settings["command_timeout_ms"]   # the default bound
        ctx = RecordingContext()
        bridge = plutus_bridge.register(ctx, plutus_bridge.load_settings(self.write_bridge_json(settings)))
        self.addCleanup(bridge.close)
        started = time.monotonic()
        with self.assertLogs("plutus.bridge", "WARNING") as logs:
            text = ctx.commands["stats"]("")
        self.assertLess(time.monotonic() - started, 7.5, "bounded well below the daemon's delay")
        self.assertIn("running but did not answer", text)
        self.assertNotIn("plutus serve", text)
        self.assertEqual(1, len(logs.output))
        self.assertNotIn("Traceback", logs.output[0])
        self.assertEqual(1, len(logs.output[0].splitlines()))

    def write_bridge_json(self, settings):
        path = os.path.join(self.home, "bridge.json")
        with open(path, "w") as f:
            json.dump(settings, f)
        return path

    def test_the_bridge_timeout_stays_below_hermes_hook_callback_timeout(self):
        config = os.path.join(self.home, "config.yaml")
        with open(config, "w") as f:
            f.write("model: x\nplugins:\n  enabled: [plutus]\n  hook_callback_timeout: 0.2  # seconds\n")
        self.assertEqual(0.2, plutus_bridge.hermes_hook_timeout(config))
        with open(config) as f:
            self.assertEqual(0.2, float(plutus_bridge._scan_hook_timeout(f.read())))
        _, bridge = self.register(hermes_config=config, timeout_ms=250)
        self.assertEqual(50, bridge.s["timeout_ms"])
        with open(config, "w") as f:
            f.write("plugins:\n  hook_callback_timeout: 0\n")
        _, bridge = self.register(hermes_config=config, timeout_ms=250)
        self.assertEqual(250, bridge.s["timeout_ms"], "0 means Hermes sets no limit")

    def test_a_hook_timeout_hermes_replaces_by_its_default_caps_the_bridge_at_30_s(self):
        config = os.path.join(self.home, "config.yaml")
        for body in ("model: x\n", "plugins:\n  hook_callback_timeout:\n", "plugins:\n  hook_callback_timeout: null\n",
                     "plugins:\n  hook_callback_timeout: -5\n", "plugins:\n  hook_callback_timeout: soon\n",
                     "plugins: [\n", None):
            if body is None:
                os.remove(config)
            else:
                with open(config, "w") as f:
                    f.write(body)
            self.assertEqual(30.0, plutus_bridge.hermes_hook_timeout(config), repr(body))
            _, bridge = self.register(hermes_config=config, timeout_ms=20000)
            self.assertEqual(7500, bridge.s["timeout_ms"], repr(body))

    def test_auxiliary_calls_are_forwarded_where_the_host_fires_them(self):
        self.daemon = FakeDaemon(self.home)
        ctx, _ = self.register(auxiliary_hooks=True)
        self.assertIn("post_auxiliary_call", ctx.hooks)
        ctx.hooks["post_auxiliary_call"](aux_task="compression", session_id="s1", api_request_id="aux-1", provider="openrouter",
                                         model="google/gemini-2.5-flash", usage={"input_tokens": 9000, "output_tokens": 700},
                                         api_duration=1.5, streaming=False)
        event, body = self.daemon.hook_bodies()[-1]
        self.assertEqual("post_auxiliary_call", event)
        self.assertEqual(("compression", 9000), (body["aux_task"], body["usage"]["input_tokens"]))
        ctx, _ = self.register()
        self.assertNotIn("post_auxiliary_call", ctx.hooks, "a host without them gets no unknown-hook warning")

    def test_a_daemon_timeout_logs_one_line(self):
        self.daemon = FakeDaemon(self.home)
        self.daemon.delay = 1.0
        ctx, _ = self.register(timeout_ms=100)
        with self.assertLogs("plutus.bridge", "WARNING") as logs:
            ctx.hooks["post_api_request"](**fixture("post_api_request-anthropic-cache.json"))
        self.assertTrue(all(len(line.splitlines()) == 1 and "Traceback" not in line for line in logs.output), logs.output)

    def test_commands_are_forwarded_with_their_raw_arguments(self):
        self.daemon = FakeDaemon(self.home)
        ctx, _ = self.register()
        self.assertEqual("ran /commands/budget with 'set global daily 5'", ctx.commands["budget"]("set global daily 5"))
        self.assertEqual("ran /commands/stats with ''", ctx.commands["stats"](""))

    def test_commands_explain_when_the_daemon_is_down(self):
        ctx, _ = self.register()
        self.assertIn("plutus serve", ctx.commands["stats"]("today"))

    def test_autostart_runs_the_launcher_once_while_the_daemon_is_down(self):
        marker = os.path.join(self.home, "started")
        launcher = os.path.join(self.home, "fake-plutus")
        with open(launcher, "w") as f:
            f.write("#!/bin/sh\necho \"$@\" >> %s\n" % marker)
        os.chmod(launcher, 0o755)
        ctx, _ = self.register(autostart=True, launcher=launcher)
        ctx.hooks["post_tool_call"](**fixture("post_tool_call.json"))
        ctx.hooks["post_tool_call"](**fixture("post_tool_call-error.json"))
        deadline = time.time() + 5
        while not os.path.exists(marker) and time.time() < deadline:
            time.sleep(0.05)
        with open(marker) as f:
            self.assertEqual(["serve --home " + self.home], f.read().splitlines())

    def test_odd_kwargs_never_raise(self):
        self.daemon = FakeDaemon(self.home)
        ctx, _ = self.register()
        self.assertIsNone(ctx.hooks["post_api_request"](session_id=object(), usage={"input_tokens": set([1])}))
        self.assertIsNone(ctx.hooks["pre_tool_call"]())


    def test_a_nan_kwarg_in_pre_tool_call_is_sent_as_valid_json_and_gets_the_real_verdict(self):
        self.daemon = FakeDaemon(self.home)
        self.daemon.replies["pre_tool_call"] = {"action": "block", "message": "global daily $5.00 of $5.00 spent"}
        ctx, _ = self.register(fail_mode="closed")
        nan = float("nan")
        reply = ctx.hooks["pre_tool_call"](**dict(fixture("pre_tool_call.json"), task_id=nan,
                                                  extra={"depth": [float("inf"), {"x": -float("inf")}]}))
        self.assertEqual({"action": "block", "message": "global daily $5.00 of $5.00 spent"}, reply)
        (event, sent), = self.daemon.hook_bodies()
        self.assertEqual("pre_tool_call", event)
        self.assertIsNone(sent["task_id"])
        self.assertNotIn("extra", sent, "a field the daemon does not read for a verdict is not sent at all")
        self.assertEqual([], self.spooled())
        self.daemon.replies["pre_tool_call"] = {}
        self.assertIsNone(ctx.hooks["pre_tool_call"](**dict(fixture("pre_tool_call.json"), task_id=nan)),
                          "a daemon that says ok lets the tool run, even under fail_mode closed")

    def test_a_post_api_request_with_a_nan_duration_is_recorded_not_dropped(self):
        self.daemon = FakeDaemon(self.home)
        ctx, _ = self.register()
        call = dict(fixture("post_api_request-anthropic-cache.json"), api_duration=float("nan"))
        ctx.hooks["post_api_request"](**call)
        (event, sent), = self.daemon.hook_bodies()
        self.assertEqual(("post_api_request", call["api_request_id"], None), (event, sent["api_request_id"], sent["api_duration"]))
        self.assertEqual(call["usage"], sent["usage"])
        self.assertEqual([], self.spooled())

    def test_a_refused_post_api_request_is_spooled_and_said_once(self):
        self.daemon = FakeDaemon(self.home)
        self.daemon.statuses["post_api_request"] = 400
        ctx, _ = self.register()
        first = fixture("post_api_request-anthropic-cache.json")
        second = fixture("post_api_request-openrouter.json")
        with self.assertLogs("plutus.bridge", level="DEBUG") as logs:
            self.assertIsNone(ctx.hooks["post_api_request"](**first))
            self.assertIsNone(ctx.hooks["post_api_request"](**second))
        self.assertEqual(1, sum("rejected.jsonl" in line and line.startswith("WARNING") for line in logs.output), logs.output)
        spooled = self.spooled()
        self.assertEqual(["post_api_request", "post_api_request"], [e["event"] for e in spooled])
        self.assertEqual([first["api_request_id"], second["api_request_id"]], [e["kwargs"]["api_request_id"] for e in spooled])
        self.assertEqual(2, len(self.daemon.requests), "the daemon is up: each event was offered to it first")

    def test_a_refused_pre_tool_call_follows_fail_mode(self):
        self.daemon = FakeDaemon(self.home)
        for status in (400, 500, 503):
            self.daemon.statuses["pre_tool_call"] = status
            ctx, _ = self.register(fail_mode="closed")
            reply = ctx.hooks["pre_tool_call"](**fixture("pre_tool_call.json"))
            self.assertEqual("block", reply["action"], status)
            self.assertIn("HTTP %d" % status, reply["message"])
            ctx, _ = self.register(fail_mode="open")
            self.assertIsNone(ctx.hooks["pre_tool_call"](**fixture("pre_tool_call.json")), status)
            warn = ctx.hooks["pre_llm_call"](**fixture("pre_llm_call.json"))
            self.assertIn("budgets were not enforced", warn["context"], "the conversation is told the tool ran unchecked")

    def test_shell_hooks_forward_a_tool_call_whatever_shape_its_arguments_have(self):
        self.daemon = FakeDaemon(self.home)
        self.daemon.replies["pre_tool_call"] = {"action": "block", "message": "global daily $5.00 of $1.00 spent"}
        for stdin in ('{"hook_event_name": "pre_tool_call", "tool_name": "t", "extra": [1, 2]}',
                      '{"hook_event_name": "pre_tool_call", "extra": "text"}'):
            self.assertEqual("block", self.shell(stdin, fail_mode="closed").get("action"), stdin)
        self.assertEqual(["pre_tool_call", "pre_tool_call"], [e for e, _ in self.daemon.hook_bodies()])

    def test_shell_hooks_read_nan_as_null(self):
        self.daemon = FakeDaemon(self.home)
        with open(os.path.join(FIXTURES, "shell-hook-stdin-post_api_request.json")) as f:
            payload = json.load(f)
        payload.setdefault("extra", {}).update(api_duration="<nan>", task_id="<inf>")
        text = json.dumps(payload).replace('"<nan>"', "NaN").replace('"<inf>"', "-Infinity")
        self.assertIn('"api_duration": NaN', text)
        self.assertEqual({}, self.shell(text))
        (event, sent), = self.daemon.hook_bodies()
        self.assertEqual("post_api_request", event)
        self.assertIsNone(sent["api_duration"])
        self.assertIsNone(sent["task_id"])
        self.assertEqual([], self.spooled())

    def test_odd_keys_and_non_finite_values_always_make_strict_json(self):
        self.assertEqual('{"1.5": null, "(1, 2)": [null, 3], "s": "{1}"}',
                         plutus_bridge.to_json({1.5: float("-inf"), (1, 2): (float("nan"), 3), "s": {1}}))


    def test_kwargs_that_cannot_be_serialised_are_still_recorded(self):
        class Unprintable:
            def __str__(self):
                raise ValueError("no str")

            def __repr__(self):
                raise ValueError("no repr")

        looped = {"name": "loop"}
        looped["self"] = looped
        deep = []
        for _ in range(5000):
            deep = [deep]
        self.daemon = FakeDaemon(self.home)
        ctx, _ = self.register()
        call = fixture("post_api_request-anthropic-cache.json")
        cases = {"looped": looped, "unprintable": Unprintable(), "colliding": {1: "a", "1": "b"}, "deep": deep,
                 "printable_only_by_repr": type("R", (), {"__str__": lambda self: 1 / 0, "__repr__": lambda self: "R!"})()}
        for name, value in cases.items():
            self.assertIsNone(ctx.hooks["post_api_request"](**dict(call, api_request_id=name, extra=value)), name)
        sent = {body["api_request_id"]: body for event, body in self.daemon.hook_bodies()}
        self.assertEqual(set(cases), set(sent), "every call reached the daemon")
        for name in cases:
            self.assertEqual(call["usage"], sent[name]["usage"], name)
            self.assertEqual((call["session_id"], call["provider"], call["model"]),
                             (sent[name]["session_id"], sent[name]["provider"], sent[name]["model"]), name)
        self.assertEqual({"name": "loop", "self": "<cycle>"}, sent["looped"]["extra"])
        self.assertEqual("<unserialisable Unprintable>", sent["unprintable"]["extra"])
        self.assertEqual("R!", sent["printable_only_by_repr"]["extra"])
        self.assertEqual({"1": "b", "1~2": "a"}, sent["colliding"]["extra"], "both values kept")
        self.assertEqual([], self.spooled())

    def test_kwargs_that_fail_to_serialise_entirely_still_send_what_the_daemon_needs_and_say_so_once(self):
        class Unreadable(dict):
            def items(self):
                raise RuntimeError("changed while read")

        self.daemon = FakeDaemon(self.home)
        bridge = plutus_bridge.Bridge(dict(self.settings))
        self.addCleanup(bridge.close)
        call = fixture("post_api_request-anthropic-cache.json")
        with self.assertLogs("plutus.bridge", level="DEBUG") as logs:
            bridge.on_hook("post_api_request", Unreadable(call, messages=["x"]))
            bridge.on_hook("post_api_request", Unreadable(call, api_request_id="second"))
        self.assertEqual(1, sum(line.startswith("WARNING") and "serialise" in line for line in logs.output), logs.output)
        (_, first), (_, second) = self.daemon.hook_bodies()
        self.assertEqual((call["api_request_id"], "second"), (first["api_request_id"], second["api_request_id"]))
        for sent in (first, second):
            self.assertEqual(call["usage"], sent["usage"])
            self.assertEqual((call["session_id"], call["provider"], call["model"]), (sent["session_id"], sent["provider"], sent["model"]))
            self.assertNotIn("messages", sent)
            self.assertTrue(sent["_plutus_event_id"])
        self.daemon.stop()
        self.daemon = None
        bridge.close()
        bridge.on_hook("post_api_request", Unreadable(call, api_request_id="while down", extra=object()))
        (spooled,) = self.spooled()
        self.assertEqual(("while down", call["usage"]), (spooled["kwargs"]["api_request_id"], spooled["kwargs"]["usage"]))

    def test_unserialisable_kwargs_are_spooled_while_the_daemon_is_down(self):
        looped = []
        looped.append(looped)
        ctx, _ = self.register()
        call = fixture("post_api_request-anthropic-cache.json")
        ctx.hooks["post_api_request"](**dict(call, extra=looped, **{"weird": {1: "a", "1": "b"}}))
        (spooled,) = self.spooled()
        self.assertEqual((call["api_request_id"], call["usage"]), (spooled["kwargs"]["api_request_id"], spooled["kwargs"]["usage"]))
        self.assertEqual(["<cycle>"], spooled["kwargs"]["extra"])
        self.assertEqual({"1": "b", "1~2": "a"}, spooled["kwargs"]["weird"])

    def test_a_2mb_post_api_request_is_recorded_trimmed_and_the_next_pre_tool_call_gets_a_real_verdict(self):
        self.daemon = FakeDaemon(self.home)
        self.daemon.max_body = 1 << 20
        self.daemon.replies["pre_tool_call"] = {"action": "block", "message": "global daily $5.00 of $5.00 spent"}
        ctx, _ = self.register(fail_mode="open")
        call = dict(fixture("post_api_request-anthropic-cache.json"), messages=["x" * 1000] * 2000, note="small")
        self.assertIsNone(ctx.hooks["post_api_request"](**call))
        reply = ctx.hooks["pre_tool_call"](**dict(fixture("pre_tool_call.json"), extra="y" * (2 << 20)))
        self.assertEqual({"action": "block", "message": "global daily $5.00 of $5.00 spent"}, reply,
                         "the daemon was not taken for down: its verdict came back")
        self.assertEqual(0, self.daemon.refused_for_size, "no body went over the limit")
        (_, recorded), (_, tool) = self.daemon.hook_bodies()
        self.assertEqual((call["api_request_id"], call["usage"], call["model"], call["provider"], call["session_id"]),
                         (recorded["api_request_id"], recorded["usage"], recorded["model"], recorded["provider"], recorded["session_id"]))
        self.assertEqual((["messages"], "small"), (recorded["_plutus_trimmed"], recorded["note"]), "only the heavy field went")
        self.assertNotIn("extra", tool, "a verdict hook sends only the fields the daemon reads")
        self.assertTrue(all(len(body) <= 1 << 20 for _, body in self.daemon.requests))
        self.assertEqual([], self.spooled())

    def test_needed_fields_too_big_for_the_limit_are_cut_not_refused(self):
        self.daemon = FakeDaemon(self.home)
        self.daemon.max_body = 4096
        ctx, _ = self.register(max_body_bytes=4096)
        call = dict(fixture("post_api_request-anthropic-cache.json"), model="m" * 10000)
        ctx.hooks["post_api_request"](**call)
        (_, recorded), = self.daemon.hook_bodies()
        self.assertEqual((call["api_request_id"], call["usage"]), (recorded["api_request_id"], recorded["usage"]))
        self.assertEqual("m" * 1024, recorded["model"])
        self.assertEqual(0, self.daemon.refused_for_size)

    def test_a_body_refused_for_size_while_being_sent_counts_as_refused_not_as_a_daemon_down(self):
        self.daemon = FakeDaemon(self.home)
        self.daemon.max_body = 1 << 20
        self.daemon.replies["pre_tool_call"] = {"action": "block", "message": "over budget"}
        # The bridge believes in a bigger limit than the daemon's: the daemon answers 413 mid-body and closes.
        ctx, bridge = self.register(max_body_bytes=64 << 20, fail_mode="open")
        call = dict(fixture("post_api_request-anthropic-cache.json"), messages=["x" * 1000] * 8000)
        self.assertIsNone(ctx.hooks["post_api_request"](**call))
        self.assertEqual(1, self.daemon.refused_for_size)
        self.assertEqual("the daemon refused the event (HTTP 413)", bridge.local.why)
        self.assertEqual([call["api_request_id"]], [e["kwargs"]["api_request_id"] for e in self.spooled()],
                         "kept in the spool for the daemon to replay")
        self.assertEqual({"action": "block", "message": "over budget"}, ctx.hooks["pre_tool_call"](**fixture("pre_tool_call.json")))


class ApproxTokensTest(unittest.TestCase):
    """The middleware's prompt-size estimate: json.dumps's length (/4) without writing the JSON."""

    def test_it_is_the_json_length_but_for_ascii_escapes(self):
        conversation = [{"role": "user" if i % 2 == 0 else "assistant", "content": "word " * 300} for i in range(40)]
        shared = {"role": "user", "content": "x" * 2000}
        for request in ({"model": "m", "messages": conversation, "max_tokens": 4096, "stream": True, "temperature": 0.7},
                        {"model": "m", "messages": [shared] * 8, "tools": [{"name": "t", "input_schema": {}}]},
                        {"modelId": "b", "inferenceConfig": {"maxTokens": 64000}, "messages": [{"content": [{"text": "日本語のテキスト" * 50}]}]}):
            exact = len(json.dumps(request, default=str))
            self.assertLessEqual(abs(plutus_bridge.approx_chars(request) - exact), exact // 200, request.keys())
        # Punctuation is counted a little generously (a separator after the last member, 5 for every constant), never short.
        small = {"x": ["héllo", 1, 2.5, None, False, {"deep": [[["ü"]]]}]}
        self.assertTrue(0 <= plutus_bridge.approx_chars(small) - len(json.dumps(small)) <= 16)
        # Escapes are the one difference: a newline is one character to the model, two in JSON.
        self.assertEqual(len("a\nb") + 2, plutus_bridge.approx_chars("a\nb"))
        self.assertEqual(len(json.dumps("日本")), plutus_bridge.approx_chars("日本"), "non-ASCII as json writes it (\\u escapes)")

    def test_a_cycle_or_great_depth_ends_with_a_finite_count(self):
        looped = {"messages": []}
        looped["messages"].append(looped)
        self.assertGreater(plutus_bridge.approx_tokens(looped), 0)
        deep = []
        node = deep
        for _ in range(100000):
            child = []
            node.append(child)
            node = child
        self.assertEqual(400002 // 4, plutus_bridge.approx_tokens(deep), "no RecursionError, so no estimate of 0")
        self.assertEqual(0, plutus_bridge.approx_tokens(None) - 5 // 4)

    def test_one_odd_leaf_does_not_make_the_whole_request_count_nothing(self):
        class Unprintable:
            def __str__(self):
                raise RuntimeError("no")

        text = "x" * 40000
        for odd in (10 ** 5000, Unprintable()):
            self.assertGreaterEqual(plutus_bridge.approx_tokens({"messages": [{"content": text}], "odd": odd}), 10000)
        self.assertLessEqual(abs(plutus_bridge.approx_chars(10 ** 50) - len(str(10 ** 50))), 1)


if __name__ == "__main__":
    unittest.main()
