"""How the bridge talks to the daemon: one process-wide pool of kept-alive HTTP/1.1 connections.

Newer Hermes runs every bounded hook callback on a fresh worker thread, so a connection kept per
thread is never used twice and every hook would open a new one. Connections here belong to the
process: a hook takes an idle one (or opens one when none is idle), uses it for one request and
gives it back, so a steady stream of hooks, on whatever threads, reuses the same few connections.
Standard library only; a minimal client, because http.client parses every answer's headers with the
email package, which costs more than the daemon takes to answer a hook.
"""
import collections
import errno
import fcntl
import json
import logging
import os
import socket
import threading
import weakref

log = logging.getLogger("plutus.bridge")
# Idle connections kept; more hooks at once than this open extra ones, closed when given back.
MAX_IDLE = 8


class Connection:
    def __init__(self, sock, key):
        self.sock = sock
        self.key = key          # the endpoint it was opened to: a connection to an old daemon is never reused
        self.buf = b""
        self.generation = None  # X-Plutus-Generation of the last HTTP answer read on it

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class IdlePool:
    """Idle connections of one process, shared by its threads: a hook takes one and gives it back."""

    def __init__(self, max_idle=MAX_IDLE):
        self.idle = collections.deque()
        self.lock = threading.Lock()
        self.max_idle = max_idle
        self.opened = 0          # connections opened so far (the benchmark checks that hooks reuse them)
        self.pid = os.getpid()
        if hasattr(os, "register_at_fork"):
            pool = weakref.ref(self)
            os.register_at_fork(after_in_child=lambda: _forget_in_child(pool))

    def forget_inherited(self):
        """In a forked child: the idle connections are the parent's too, and an answer read on one may be the
        answer to the parent's question (a verdict for another session). The child lets go of its copies and
        opens its own; the parent's connections stay open in the parent. The lock is new too: another thread of
        the parent may have held it at the fork."""
        idle, self.idle = self.idle, collections.deque()
        self.lock = threading.Lock()
        self.pid = os.getpid()
        for conn in idle:
            conn.close()

    def _take(self, key):
        if self.pid != os.getpid():
            self.forget_inherited()   # a fork that ran no at-fork handlers
        with self.lock:
            while self.idle:
                conn = self.idle.pop()      # the most recently used one: the least likely to have been closed idle
                if conn.key == key:
                    return conn
                conn.close()
        return None

    def _give(self, conn):
        if self.pid != os.getpid():
            self.forget_inherited()
        with self.lock:
            if len(self.idle) < self.max_idle:
                self.idle.append(conn)
                return
        conn.close()

    def close_all(self):
        with self.lock:
            idle, self.idle = list(self.idle), collections.deque()
        for conn in idle:
            conn.close()


def _forget_in_child(pool_ref):
    pool = pool_ref()
    if pool is not None:
        pool.forget_inherited()


class DaemonClient(IdlePool):
    def last_generation(self):
        """The snapshot generation the last answer on this thread carried (None: it carried none)."""
        return getattr(self.answered, "generation", None)

    def __init__(self, max_idle=MAX_IDLE):
        super().__init__(max_idle)
        self.answered = threading.local()

    def _connect(self, host, port, unix_path, timeout):
        """The daemon's own socket for the bridge when it has one (no TCP handshake, owner-only); else TCP."""
        self.opened += 1
        if unix_path:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.settimeout(timeout)
                sock.connect(unix_path)
                return sock
            except OSError as e:
                sock.close()
                log.debug("hook socket %s unusable (%s); using TCP", unix_path, e)
        sock = socket.create_connection((host, port), timeout=timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def post(self, endpoint, path, body, timeout_ms, content_type="application/json"):
        """POSTs on a pooled connection; returns (status, body bytes) or raises.

        endpoint: (host, port, token, version, unix socket path or None). A pooled connection the
        daemon closed while it sat idle gets one retry on a new connection; a new one gets none.
        """
        host, port, token, _, unix_path = endpoint[:5]
        key = (host, port, token, unix_path)
        head = ("POST %s HTTP/1.1\r\nHost: %s:%d\r\nAuthorization: Bearer %s\r\nContent-Type: %s\r\n"
                "Content-Length: %d\r\n\r\n" % (path, host, port, token, content_type, len(body))).encode("ascii")
        timeout = timeout_ms / 1000.0
        for attempt in (0, 1):
            conn = self._take(key)
            fresh = conn is None
            try:
                if fresh:
                    conn = Connection(self._connect(host, port, unix_path, timeout), key)
                conn.sock.settimeout(timeout)
                try:
                    conn.sock.sendall(head + body)
                except ConnectionError:
                    # A daemon that refuses a body (413) answers and closes while it is still being sent:
                    # its answer is the verdict on the request, not a sign that it is down.
                    answer = self._answer_after_write_error(conn)
                    conn.close()
                    if answer is None:
                        raise
                    return answer
                status, payload, keep = self._response(conn)
                self.answered.generation = conn.generation
                if keep:
                    self._give(conn)
                else:
                    conn.close()
                return status, payload
            except (ConnectionError, EOFError) as e:
                if conn is not None:
                    conn.close()
                if fresh or attempt == 1:
                    raise
                log.debug("retrying on a new connection: %s", e)
            except Exception:
                if conn is not None:
                    conn.close()
                raise
        raise ConnectionError("unreachable")

    def _answer_after_write_error(self, conn):
        """The (status, body) the daemon sent before it stopped reading, or None when it sent none."""
        try:
            conn.sock.settimeout(0.2)
            status, payload, _ = self._response(conn)
            return status, payload
        except Exception:  # noqa: BLE001 - nothing readable: the original write error stands
            return None

    @staticmethod
    def _response(conn):
        """(status, body, whether the connection may be reused) of one answer read by its Content-Length."""
        buf = conn.buf
        while b"\r\n\r\n" not in buf:
            chunk = conn.sock.recv(65536)
            if not chunk:
                raise EOFError("daemon closed the connection")
            buf += chunk
        header, _, buf = buf.partition(b"\r\n\r\n")
        lines = header.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        length, close = 0, False
        conn.generation = None
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value.strip())
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
            elif name == b"x-plutus-generation" and value.strip().isdigit():
                conn.generation = int(value.strip())
        while len(buf) < length:
            chunk = conn.sock.recv(65536)
            if not chunk:
                raise EOFError("daemon closed the connection mid-answer")
            buf += chunk
        body, conn.buf = buf[:length], buf[length:]
        return status, body, not close


# --- the hook channel ---------------------------------------------------------------------------
# The daemon's framed verdict socket (HookChannel.java, docs/hook-channel.md): every frame is a 4-byte
# big-endian length and that many bytes. Hello "PLUTUS-HOOK/2 <token>" -> "200 ok"; request
# "<event>\n<kwargs JSON>" -> "<status> <body>", where a 200 body ends "\n<generation>" (protocol 2:
# the verdict snapshot generation, docs/hook-snapshot.md); an empty frame is a nudge, never answered.
CHANNEL_HELLO = b"PLUTUS-HOOK/2 "
NUDGE = b"\0\0\0\0"


class ChannelUnavailable(ConnectionError):
    """No connection to the hook channel could be made (or it refused this one): nothing was sent on it."""


class ChannelClient(IdlePool):
    """Process-wide pool of hook channel connections, as DaemonClient keeps HTTP ones."""

    def _open(self, path, token, timeout, key):
        """A connection past its hello; ChannelUnavailable when there is none to be had."""
        self.opened += 1
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn = Connection(sock, key)
        try:
            sock.settimeout(timeout)
            sock.connect(path)
            hello = CHANNEL_HELLO + token.encode("ascii")
            sock.sendall(len(hello).to_bytes(4, "big") + hello)
            answer = _read_frame(conn)
        except socket.timeout:
            # A daemon too slow to accept or greet is too slow over HTTP as well: no second wait.
            conn.close()
            raise
        except OSError as e:
            conn.close()
            raise ChannelUnavailable("hook channel %s: %s" % (path, e))
        except EOFError as e:
            conn.close()
            raise ChannelUnavailable("hook channel %s closed the connection (%s)" % (path, e))
        if answer[:4] != b"200 ":
            conn.close()
            raise ChannelUnavailable("hook channel %s refused the connection: %s" % (path, answer[:200].decode("utf-8", "replace")))
        return conn

    def request(self, path, token, event, body, timeout_ms):
        """(status, body bytes) of one hook on a pooled connection.

        ChannelUnavailable: no connection could be made, nothing was sent (the caller may use HTTP).
        A pooled connection the daemon closed while idle gets one retry on a new connection.
        """
        key = (path, token)
        head = event.encode("utf-8") + b"\n"
        frame = (len(head) + len(body)).to_bytes(4, "big") + head + body
        timeout = timeout_ms / 1000.0
        for attempt in (0, 1):
            conn = self._take(key)
            fresh = conn is None
            if fresh:
                conn = self._open(path, token, timeout, key)
            try:
                conn.sock.settimeout(timeout)
                conn.sock.sendall(frame)
                answer = _read_frame(conn)
            except (ConnectionError, EOFError) as e:
                conn.close()
                if fresh or attempt == 1:
                    raise ConnectionError("hook channel: %s" % e) if isinstance(e, EOFError) else e
                continue
            except Exception:
                conn.close()
                raise
            status = int(answer[:3])
            if status == 413:
                conn.close()   # the daemon closes after it
            else:
                self._give(conn)
            return status, answer[4:]

    def request_with_generation(self, path, token, event, body, timeout_ms):
        """(status, body bytes, snapshot generation or None) of one hook; as request otherwise."""
        status, body = self.request(path, token, event, body, timeout_ms)
        if status == 200:
            head, nl, tail = body.rpartition(b"\n")
            if nl and tail.isdigit():
                return status, head, int(tail)
        return status, body, None
        raise ConnectionError("unreachable")

    def nudge(self, path, token):
        """Wakes the daemon's journal tailer on an idle connection, without waiting; never opens one."""
        conn = self._take((path, token))
        if conn is None:
            return False
        try:
            conn.sock.settimeout(0.01)
            conn.sock.sendall(NUDGE)
        except OSError:
            conn.close()
            return False
        self._give(conn)
        return True


def _read_frame(conn):
    """One frame's payload, read through conn.buf."""
    buf = conn.buf
    while len(buf) < 4:
        chunk = conn.sock.recv(65536)
        if not chunk:
            raise EOFError("daemon closed the connection")
        buf += chunk
    length = int.from_bytes(buf[:4], "big")
    while len(buf) < 4 + length:
        chunk = conn.sock.recv(65536)
        if not chunk:
            raise EOFError("daemon closed the connection mid-answer")
        buf += chunk
    payload, conn.buf = buf[4:4 + length], buf[4 + length:]
    return payload


# --- the hook journal --------------------------------------------------------------------------
# Hooks whose answer carries no verdict are not sent: they are appended to a journal file of this
# process, which the daemon tails (docs/hook-journal.md). A file past this size is closed and a new one begun.
JOURNAL_MAX_BYTES = 64 << 20
# Lines that may change a verdict remembered with their cost (for answering from the snapshot meanwhile).
MAX_MARKS = 1024


class Journal:
    """This process's append-only hook journal: PLUTUS_HOME/hook-journal/<host>-<pid>-<n>.jsonl, owner-only.

    Each event is one line written by one os.write to an O_APPEND file: once write() returns the
    bytes are in the page cache, which outlives a SIGKILL of Hermes or of the daemon (the guarantee
    SQLite's WAL gives with synchronous=NORMAL), so the event is acknowledged then, without fsync.
    The file is locked (POSIX lockf) while this process may still write to it: the daemon reads an
    unlocked file's unfinished last line as never acknowledged, and deletes a consumed unlocked file.
    A file is locked under a hidden name before it gets its journal name, so the daemon never sees
    it unlocked while it is in use.
    """

    def __init__(self, directory, max_bytes=JOURNAL_MAX_BYTES):
        self.dir = directory
        self.max_bytes = max_bytes
        self.lock = threading.Lock()
        self.fd = None
        self.pid = None
        self.n = 0
        self.name = None
        self.written = 0   # bytes of whole lines in the current file
        self.mark = None   # (name, offset) after the last line that may change a verdict
        # (name, offset after it, cost) of the latest lines that may change a verdict, oldest first; cost is
        # (session, provider, model, tokens) for a call whose price a snapshot can bound, else None.
        self.marks = collections.deque()
        self.dropped = None   # (name, offset) of the newest mark let go of (past MAX_MARKS)

    def append(self, data, marks=True, cost=None):
        """Writes one whole line; returns (file name, offset after it). Raises OSError when it could not.

        marks: the event may change a verdict, so a verdict snapshot must have counted it (marked()).
        cost: for a model call, (session, provider, model, tokens) (see uncounted()).
        """
        with self.lock:
            if self.fd is None or self.pid != os.getpid() or self.written >= self.max_bytes:
                self._begin()
            try:
                n = os.write(self.fd, data)
            except OSError:
                self._abandon()
                raise
            if n != len(data):
                # A short write (disk full): the fragment has no newline, and once this file is given up
                # (unlocked) the daemon sets it aside as never acknowledged. The caller keeps the event.
                self._abandon()
                raise OSError(errno.ENOSPC, "short write to the hook journal (%d of %d bytes)" % (n, len(data)))
            self.written += n
            if marks:
                self.mark = (self.name, self.written)
                self.marks.append((self.name, self.written, cost))
                if len(self.marks) > MAX_MARKS:
                    name, end, _ = self.marks.popleft()
                    self.dropped = (name, end)
            return self.name, self.written

    def marked(self):
        """(file name, offset) after the last event that may change a verdict, or None: none since this file began."""
        with self.lock:
            if self.fd is None or self.pid != os.getpid():
                return None
            return self.mark

    def uncounted(self, journals):
        """The costs of the lines that may change a verdict which a snapshot with these consumed offsets has not
        counted, newest first; None when one of them is not a call whose price can be bounded (or is forgotten).

        A writer's later file is listed only once its earlier ones are counted to their end, so the newest line
        a snapshot covers means every earlier one is covered too.
        """
        with self.lock:
            if self.fd is None or self.pid != os.getpid():
                return []
            out = []
            for name, end, cost in reversed(self.marks):
                if journals.get(name, -1) >= end:
                    return out
                if cost is None:
                    return None
                out.append(cost)
            if self.dropped is not None and not journals.get(self.dropped[0], -1) >= self.dropped[1]:
                return None
            return out

    def position(self):
        """(file name, offset) of everything this process has journaled so far, or None before the first line."""
        with self.lock:
            if self.fd is None or self.pid != os.getpid():
                return None
            return self.name, self.written

    def close(self):
        with self.lock:
            self._abandon()

    def _begin(self):
        forked = self.fd is not None and self.pid != os.getpid()
        old = self.fd
        os.makedirs(self.dir, mode=0o700, exist_ok=True)
        pid = os.getpid()
        host = socket.gethostname().replace("/", "_") or "host"
        while True:
            self.n += 1
            name = "%s-%d-%d.jsonl" % (host, pid, self.n)
            path = os.path.join(self.dir, name)
            if os.path.exists(path):
                continue
            hidden = os.path.join(self.dir, ".%s.new" % name)
            fd = os.open(hidden, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0), 0o600)
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                os.rename(hidden, path)
            except OSError:
                os.close(fd)
                raise
            break
        # An earlier file's last mark stays: a snapshot covers it only while the daemon still lists that file.
        self.fd, self.pid, self.name, self.written = fd, pid, name, 0
        if forked:
            self.mark = None
            self.marks.clear()
            self.dropped = None
        if old is not None:
            # In a forked child the inherited descriptor is the parent's file: closing it here leaves the parent's lock.
            try:
                os.close(old)
            except OSError:
                pass
        if forked:
            log.debug("forked: this process journals to %s", name)

    def _abandon(self):
        if self.fd is not None:
            try:
                os.close(self.fd)
            except OSError:
                pass
        self.fd, self.name, self.written = None, None, 0


# --- the verdict snapshot ----------------------------------------------------------------------
# The daemon publishes the pre_tool_call answer of each recently active session, and which of them
# pre_llm_call would hand out nothing, in PLUTUS_HOME/verdicts.snap (VerdictSnapshots.java, docs/hook-snapshot.md). It is used only when it is
# provably at least as new as everything this process made the daemon count.
SNAPSHOT_FILE = "verdicts.snap"


class VerdictSnapshot:
    """Reads verdicts.snap, again only when its (mtime, size, inode) changed, and answers from it or declines."""

    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.cached = None    # ((mtime_ns, size, inode), parsed snapshot or None)
        self.seen = 0         # the highest generation any daemon answer to this process carried
        self.declined = collections.Counter()   # why the snapshot could not answer (the benchmark prints it)
        self.headroom_allows = 0   # allows given with journaled calls not yet counted, inside the headroom

    def saw(self, generation):
        """A daemon answer carried this generation: older snapshots no longer reflect what this process caused."""
        if generation is None:
            return
        with self.lock:
            if generation > self.seen:
                self.seen = generation

    def load(self):
        """The parsed snapshot, or None when there is no whole, well-formed one."""
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        key = (st.st_mtime_ns, st.st_size, st.st_ino)
        cached = self.cached
        if cached is not None and cached[0] == key:
            return cached[1]
        with self.lock:
            cached = self.cached
            if cached is not None and cached[0] == key:
                return cached[1]
            key, parsed = self._read()
            self.cached = (key, parsed)
            return parsed

    def _read(self):
        """(key of the file actually read, its snapshot or None): keyed by fstat, so a file replaced meanwhile is not cached as the old one."""
        try:
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            return None, None
        try:
            st = os.fstat(fd)
            chunks = []
            while True:
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
        except OSError:
            return None, None
        finally:
            os.close(fd)
        data = b"".join(chunks)
        key = (st.st_mtime_ns, st.st_size, st.st_ino)
        if len(data) != st.st_size:
            return None, None
        return key, parse_snapshot(data)

    def _unusable(self, snap, now_ms, valid_until, expired):
        """Why no answer of the file may be given at all (unreadable, older than a daemon answer, past valid_until), or None."""
        if snap is None:
            return "unreadable"
        if snap["generation"] < self.seen:
            return "older than an answer"
        if now_ms >= snap[valid_until]:
            return expired
        return None

    def answer(self, session_id, needed, now_ms, uncounted=None):
        """The pre_tool_call answer ({} or a block) when the snapshot may give it, else None (ask the daemon).

        needed: (journal, offset) after this process's last journaled event that may change a verdict. When the
        snapshot has not counted that far, an allow is still given when uncounted (the journal's uncounted())
        shows only calls whose tokens times their model's price bound stay below the session's headroom; a block
        is given as it is (what is not counted yet can only add spend).
        """
        snap = self.load()
        why = self._unusable(snap, now_ms, "valid_until_ms", "expired")
        listed = why is None and isinstance(snap["sessions"].get(session_id) if session_id else None, str)
        if why is None and not listed:
            why = "session not listed"
        elif listed and (not snap["sessions"][session_id] and needed is not None
                         and not (snap["journals"].get(needed[0], -1) >= needed[1])):
            why = within_headroom(snap, snap["headroom"].get(session_id), session_id, uncounted)
            if why is None:
                self.headroom_allows += 1
        if why is None and not _alive(snap["pid"]):
            why = "daemon gone"
        if why is not None:
            self.declined[why] += 1
            return None
        message = snap["sessions"][session_id]
        return {"action": "block", "message": message} if message else {}


    def quiet(self, session_id, kwargs, needed, now_ms, uncounted=None):
        """True when the snapshot shows that pre_llm_call would hand the session out nothing now (no budget,
        provisional-price or runway notice, no cron pause) and that the hook would not change the session; else
        False (ask the daemon, which hands each notice out once).

        The same rules as answer(), with the file's pre_llm_call validity, and journaled calls not counted yet
        bounded against the money before the session's next notice could be due instead of its block.
        """
        snap = self.load()
        why = self._unusable(snap, now_ms, "llm_valid_until_ms", "llm: expired")
        if why is None:
            room = snap["llm_quiet"].get(session_id)
            if room is None:
                why = "llm: something due or not listed"
            elif not _unchanged_by(room, kwargs):
                why = "llm: the session would change"
            elif needed is not None and not (snap["journals"].get(needed[0], -1) >= needed[1]):
                why = within_headroom(snap, room, session_id, uncounted)
        if why is None and not _alive(snap["pid"]):
            why = "daemon gone"
        if why is not None:
            self.declined[why] += 1
            return False
        return True


def _unchanged_by(room, kwargs):
    """Whether a pre_llm_call with these kwargs leaves the session as the daemon knows it (platform, model, sender).

    An empty sender is not recorded by the daemon; anything else that differs, or is not text, would be.
    """
    for name in ("platform", "model"):
        v = kwargs.get(name)
        if v is not None and (type(v) is not str or v != room[name]):
            return False
    sender = kwargs.get("sender_id")
    return sender is None or sender == "" or (type(sender) is str and sender == room["sender"])


def within_headroom(snap, room, session_id, uncounted):
    """None when the calls not counted yet, at their models' price bounds, stay below room (a session's money before
    its verdict, or its next notice, could change), else why not. The one rule for pre_tool_call and pre_llm_call."""
    costs = uncounted(snap["journals"]) if uncounted is not None else None
    if costs is None or room is None:
        return "journal not counted"
    bounds = snap["price_bounds"]
    total = 0
    for session, provider, model, tokens in costs:
        if session == session_id and (provider != room["provider"] or model != room["model"]):
            return "journal not counted: another model"   # its scopes may not be the ones the file looked at
        bound = bounds.get(provider, {}).get(model)
        if bound is None:
            return "journal not counted: no price bound"
        # bound is micro-dollars per million tokens. The daemon rounds each call's cost to whole micro-dollars
        # (half-even), so a call may count up to half a micro-dollar more than tokens x bound: bound each call by the
        # whole micro-dollars at or above it, as exact integers.
        total += -(-(tokens * bound) // 1000000)
    if total >= room["micros"]:
        return "journal not counted: over the headroom"
    return None


def parse_snapshot(data):
    """A snapshot with every field the bridge relies on, of the right type, or None."""
    try:
        snap = json.loads(data)
    except ValueError:
        return None
    if not isinstance(snap, dict) or snap.get("plutus_verdicts") != 1 or snap.get("end") is not True:
        return None
    for name in ("generation", "valid_until_ms", "pid"):
        if not isinstance(snap.get(name), int) or isinstance(snap.get(name), bool):
            return None
    journals, sessions = snap.get("journals"), snap.get("sessions")
    if not isinstance(journals, dict) or not isinstance(sessions, dict):
        return None
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in journals.values()):
        return None
    # Headroom and price bounds only ever widen what the file answers: missing or odd, none is used.
    snap["headroom"] = _headroom(snap.get("headroom"))
    snap["price_bounds"] = _price_bounds(snap.get("price_bounds"))
    # pre_llm_call is answered only from a file that has both (an older daemon's has neither).
    if not _whole(snap.get("llm_valid_until_ms")):
        snap["llm_valid_until_ms"], snap["llm_quiet"] = 0, {}
    else:
        snap["llm_quiet"] = _llm_quiet(snap.get("llm_quiet"))
    return snap


def _whole(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _headroom(value):
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items()
            if isinstance(v, dict) and _whole(v.get("micros")) and v["micros"] > 0
            and isinstance(v.get("provider"), str) and isinstance(v.get("model"), str)}


def _text_or_none(v):
    return v is None or isinstance(v, str)


def _llm_quiet(value):
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items()
            if isinstance(v, dict) and _whole(v.get("micros")) and v["micros"] >= 0
            and all(_text_or_none(v.get(f)) for f in ("provider", "model", "platform", "sender"))
            and all(f in v for f in ("provider", "model", "platform", "sender"))}


def _price_bounds(value):
    if not isinstance(value, dict):
        return {}
    out = {}
    for provider, models in value.items():
        if isinstance(models, dict):
            kept = {m: b for m, b in models.items() if _whole(b) and b >= 0}
            if kept:
                out[provider] = kept
    return out


def _alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except OSError:
        return True   # someone else's process: it exists
