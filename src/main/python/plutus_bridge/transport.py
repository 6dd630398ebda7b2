"""How the bridge talks to the daemon: one process-wide pool of kept-alive HTTP/1.1 connections.

Newer Hermes runs every bounded hook callback on a fresh worker thread, so a connection kept per
thread is never used twice and every hook would open a new one. Connections here belong to the
process: a hook takes an idle one (or opens one when none is idle), uses it for one request and
gives it back, so a steady stream of hooks, on whatever threads, reuses the same few connections.
Standard library only; a minimal client, because http.client parses every answer's headers with the
email package, which costs more than the daemon takes to answer a hook.
"""
import collections
import logging
import socket
import threading

log = logging.getLogger("plutus.bridge")
# Idle connections kept; more hooks at once than this open extra ones, closed when given back.
MAX_IDLE = 8


class Connection:
    def __init__(self, sock, key):
        self.sock = sock
        self.key = key          # the endpoint it was opened to: a connection to an old daemon is never reused
        self.buf = b""

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class DaemonClient:
    def __init__(self, max_idle=MAX_IDLE):
        self.idle = collections.deque()
        self.lock = threading.Lock()
        self.max_idle = max_idle
        self.opened = 0          # connections opened so far (the benchmark checks that hooks reuse them)

    def _take(self, key):
        with self.lock:
            while self.idle:
                conn = self.idle.pop()      # the most recently used one: the least likely to have been closed idle
                if conn.key == key:
                    return conn
                conn.close()
        return None

    def _give(self, conn):
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
        host, port, token, _, unix_path = endpoint
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
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value.strip())
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        while len(buf) < length:
            chunk = conn.sock.recv(65536)
            if not chunk:
                raise EOFError("daemon closed the connection mid-answer")
            buf += chunk
        body, conn.buf = buf[:length], buf[length:]
        return status, body, not close
