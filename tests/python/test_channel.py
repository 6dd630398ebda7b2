"""The bridge on the daemon's hook channel: framed requests on pooled Unix socket connections, HTTP as fallback."""
import json
import os
import shutil
import socket
import sys
import tempfile
import threading
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "src", "main", "python"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plutus_bridge  # noqa: E402
from test_bridge import FakeDaemon, HOOKS, fixture  # noqa: E402
from hermes_driver import RecordingContext  # noqa: E402


def read_frame(conn, buf):
    while len(buf) < 4:
        chunk = conn.recv(65536)
        if not chunk:
            return None, b""
        buf += chunk
    n = int.from_bytes(buf[:4], "big")
    while len(buf) < 4 + n:
        chunk = conn.recv(65536)
        if not chunk:
            return None, b""
        buf += chunk
    return buf[4:4 + n], buf[4 + n:]


def send_frame(conn, payload):
    conn.sendall(len(payload).to_bytes(4, "big") + payload)


class FakeChannel:
    """The daemon's hook channel as HookChannel.java speaks it: hello, then `<event>\\n<json>` -> `<status> <body>`."""

    def __init__(self, path, token="t0ken"):
        self.path, self.token = path, token
        self.requests, self.replies, self.statuses = [], {}, {}
        self.connections, self.nudges, self.refuse_all = 0, 0, False
        self.generation = None   # appended to 200 answers as protocol 2 does, when set
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(path)
        self.server.listen(16)
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    def serve(self, conn):
        with conn:
            if self.refuse_all:
                send_frame(conn, b"503 more than 0 hook channel connections at once")
                return
            hello, buf = read_frame(conn, b"")
            if hello not in (b"PLUTUS-HOOK/1 " + self.token.encode(), b"PLUTUS-HOOK/2 " + self.token.encode()):
                send_frame(conn, b"401 wrong token")
                return
            send_frame(conn, b"200 ok")
            while True:
                payload, buf = read_frame(conn, buf)
                if payload is None:
                    return
                if payload == b"":
                    self.nudges += 1
                    continue
                event, _, body = payload.partition(b"\n")
                event = event.decode()
                self.requests.append((event, json.loads(body)))
                if event in self.statuses:
                    send_frame(conn, b"%d refused" % self.statuses[event])
                else:
                    tail = b"" if self.generation is None else b"\n%d" % self.generation
                    send_frame(conn, b"200 " + json.dumps(self.replies.get(event, {})).encode() + tail)

    def stop(self):
        self.server.close()


def daemon_home(test, prefix):
    """A temporary Plutus home with a fake daemon answering HTTP on it, and the bridge's settings for that home
    (fail closed, no autostart); both go away when `test` ends. Returns (home, settings, daemon)."""
    home = tempfile.mkdtemp(prefix=prefix)
    test.addCleanup(shutil.rmtree, home, True)
    settings = {"plutus_home": home, "timeout_ms": 1000, "command_timeout_ms": 2000, "fail_mode": "closed",
                "autostart": False, "launcher": "plutus", "hooks": HOOKS, "commands": [],
                "hermes_config": os.path.join(home, "none.yaml")}
    daemon = FakeDaemon(home)
    test.addCleanup(daemon.stop)
    return home, settings, daemon


def announce_channel(home, path):
    """Names `path` as the hook channel in the home's daemon.json, as the daemon does."""
    info_path = os.path.join(home, "daemon.json")
    with open(info_path) as f:
        info = json.load(f)
    info["hook_channel"] = path
    with open(info_path, "w") as f:
        json.dump(info, f)


def channel_on(test, home):
    """A fake hook channel on the home's socket, announced in daemon.json; closed when `test` ends."""
    path = os.path.join(home, "hook.sock")
    channel = FakeChannel(path)
    test.addCleanup(channel.stop)
    announce_channel(home, path)
    return channel


class ChannelTest(unittest.TestCase):
    def test_a_forked_child_never_reuses_the_parents_pooled_connections(self):
        # An answer read on a shared connection may be the one meant for the other process: a verdict for another session.
        transport = plutus_bridge.transport
        for pool in (transport.DaemonClient(), transport.ChannelClient()):
            ours, peer = socket.socketpair()
            self.addCleanup(peer.close)
            conn = transport.Connection(ours, ("key",))
            pool._give(conn)
            r, w = os.pipe()
            pid = os.fork()
            if pid == 0:
                try:
                    os.write(w, b"none" if pool._take(("key",)) is None else b"reused")
                finally:
                    os._exit(0)
            os.close(w)
            told = os.read(r, 16)
            os.close(r)
            os.waitpid(pid, 0)
            self.assertEqual(b"none", told, type(pool).__name__)
            self.assertIs(conn, pool._take(("key",)), "the parent keeps its connection")
            ours.sendall(b"x")
            self.assertEqual(b"x", peer.recv(1), "and the child's letting go did not close it")
            conn.close()

    def setUp(self):
        self.home, self.settings, self.http = daemon_home(self, "plutus-channel-")

    def announce(self, path):
        announce_channel(self.home, path)

    def channel(self):
        return channel_on(self, self.home)

    def register(self):
        ctx = RecordingContext()
        bridge = plutus_bridge.register(ctx, dict(self.settings))
        self.addCleanup(bridge.close)
        self.addCleanup(bridge.journal.close)
        return ctx, bridge

    def test_verdict_hooks_go_over_the_channel_on_one_pooled_connection_whatever_the_thread(self):
        ch = self.channel()
        ch.replies["pre_tool_call"] = {"action": "block", "message": "over budget"}
        ctx, bridge = self.register()
        answers = []
        for i in range(20):
            worker = threading.Thread(target=lambda i=i: answers.append(
                ctx.hooks["pre_tool_call"](session_id="s1", tool_name="terminal", tool_call_id="t%d" % i)))
            worker.start()
            worker.join()
        self.assertEqual([{"action": "block", "message": "over budget"}] * 20, answers)
        self.assertEqual(20, len(ch.requests))
        self.assertEqual([], self.http.hook_bodies(), "nothing over HTTP")
        self.assertEqual(1, ch.connections, "one connection, reused by 20 threads")
        self.assertEqual({"channel": 20, "http": 0}, bridge.sent_by)
        event, kwargs = ch.requests[0]
        self.assertEqual(("pre_tool_call", "terminal"), (event, kwargs["tool_name"]))
        self.assertEqual(32, len(kwargs["_plutus_event_id"]))

    def test_a_refusal_on_the_channel_is_what_it_is_over_http_no_verdict(self):
        ch = self.channel()
        ch.statuses["pre_tool_call"] = 503
        ctx, _ = self.register()
        out = ctx.hooks["pre_tool_call"](session_id="s1", tool_name="terminal", tool_call_id="t1")
        self.assertEqual("block", out["action"], "fail_mode closed: no verdict blocks")
        self.assertIn("HTTP 503", out["message"])
        self.assertEqual([], self.http.hook_bodies(), "a refusal is an answer: not asked again over HTTP")
        spooled = os.listdir(os.path.join(self.home, "spool"))
        self.assertEqual(1, len(spooled), "kept in the spool, as a 503 over HTTP is")

    def test_no_channel_socket_or_a_refused_connection_falls_back_to_http(self):
        self.announce(os.path.join(self.home, "gone.sock"))
        self.http.replies["pre_tool_call"] = {"action": "block", "message": "via http"}
        ctx, bridge = self.register()
        self.assertEqual("via http", ctx.hooks["pre_tool_call"](session_id="s1", tool_name="t", tool_call_id="a")["message"])
        self.assertEqual(1, len(self.http.hook_bodies()))
        ch = self.channel()
        ch.refuse_all = True
        bridge.channel_down_until = 0.0
        self.assertEqual("via http", ctx.hooks["pre_tool_call"](session_id="s1", tool_name="t", tool_call_id="b")["message"])
        self.assertEqual(2, len(self.http.hook_bodies()), "a channel over its connection cap sends the bridge to HTTP")
        self.assertEqual([], ch.requests)
        ch.refuse_all = False
        bridge.channel_down_until = 0.0
        ctx.hooks["pre_tool_call"](session_id="s1", tool_name="t", tool_call_id="c")
        self.assertEqual(1, len(ch.requests), "back on the channel once it lets the bridge in")
        self.assertEqual({"channel": 1, "http": 2}, bridge.sent_by)

    def test_a_pooled_connection_the_daemon_closed_is_retried_once_on_a_new_one(self):
        ch = self.channel()
        ctx, bridge = self.register()
        ctx.hooks["pre_llm_call"](session_id="s1")
        for conn in list(bridge.channel.idle):
            conn.sock.shutdown(socket.SHUT_RDWR)   # as the daemon's idle time-out would leave it
        ctx.hooks["pre_llm_call"](session_id="s1")
        self.assertEqual(2, len(ch.requests))
        self.assertEqual(2, ch.connections)
        self.assertEqual([], self.http.hook_bodies())


if __name__ == "__main__":
    unittest.main()
