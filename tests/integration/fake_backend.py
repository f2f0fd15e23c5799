"""A tiny fake PostgreSQL server for fault tests: trust auth, then misbehaves on demand.

Modes (FakeBackend.mode, may be changed between connections):
  ok                   answers every Query with one row ('1') properly
  datarow_len_huge     answers a Query with 'D' declaring length 0xFFFFFFF0, then stalls
  datarow_len_2        answers a Query with 'D' declaring length 2 (< 4), then stalls
  datarow_len_0        answers a Query with 'D' declaring length 0, then stalls
  auth_len_huge        answers the startup with 'R' declaring length 0xFFFFFFF0, then stalls

A Query whose text contains `hostile:<name>` (e.g. SELECT 'hostile:notice_flood') is answered
by that hostile behaviour whatever the mode, so one fake serves a hostile session and a
healthy one at the same time (HOSTILE lists them). What happened on each hostile connection is
recorded in FakeBackend.outcomes[name] (a list of texts: 'peer-closed' when the other side
closed the connection, 'send-failed' when a write to it failed, 'stall-ended' when a stall
ran out, 'closed-by-fake' when the fake hung up itself) and FakeBackend.notices_sent counts the NoticeResponses of the flood.

A Parse whose text contains `hostile:<name>` with a name of EXTENDED makes the connection
answer its extended-protocol batches (Parse, Bind, Describe, Execute, Close up to each Sync)
the way that case says (_extended_reply), Query messages as in mode ok, and note 'sent' per
batch and 'peer-closed' when the gateway leaves. Other extended batches get an error.
"""
from __future__ import annotations

import re
import socket
import struct
import threading
import time

STALL_SECONDS = 20

_ROW_DESC_1 = struct.pack("!H", 1) + b"x\0" + struct.pack("!IhIhih", 0, 0, 25, -1, -1, 0)


def _error_body(message: bytes, code: bytes = b"XX000") -> bytes:
    return b"SERROR\0C" + code + b"\0M" + message + b"\0\0"


def _hostile_reply(name: str, huge: int) -> bytes:
    """The bytes of a hostile answer to a Query; `huge` sizes the huge ErrorResponse."""
    t = _msg(b"T", _ROW_DESC_1)
    if name == "truncated_close" or name == "truncated_stall":
        return t + b"D" + struct.pack("!I", 100) + b"\0\x01\0\0\0\x05ab"  # 11 of 100 bytes
    if name == "wrong_length":  # CommandComplete claiming 2 bytes of its 9: the rest is garbage
        return t + b"C" + struct.pack("!I", 6) + b"SELECT 1\0" + _msg(b"Z", b"I")
    if name == "len_2_31":
        return t + b"D" + struct.pack("!I", 0x80000000) + b"\0\x01"
    if name == "len_2_31_minus_1":
        return t + b"E" + struct.pack("!I", 0x7FFFFFFF) + b"SERROR\0"
    if name == "len_max":
        return t + b"N" + struct.pack("!I", 0xFFFFFFFF) + b"SNOTICE\0"
    if name == "unknown_type":  # well framed, but no backend message has type '!'
        return _msg(b"!", b"surprise\0") + _msg(b"Z", b"I")
    if name == "datarow_fields":  # RowDescription of 1 column, DataRow of 3 values
        row = struct.pack("!H", 3) + b"".join(struct.pack("!I", 1) + v for v in (b"a", b"b", b"c"))
        return t + _msg(b"D", row) + _msg(b"C", b"SELECT 1\0") + _msg(b"Z", b"I")
    if name == "datarow_short":  # DataRow claiming 2 values, carrying 1
        return t + _msg(b"D", struct.pack("!HI", 2, 1) + b"a") + _msg(b"C", b"SELECT 1\0") + _msg(b"Z", b"I")
    if name == "huge_error":  # a valid ErrorResponse of `huge` bytes, then ReadyForQuery
        return _msg(b"E", _error_body(b"h" * huge)) + _msg(b"Z", b"I")
    if name == "auth_midsession":  # AuthenticationCleartextPassword after login
        return _msg(b"R", struct.pack("!I", 3))
    if name == "auth_ok_midsession":
        return _msg(b"R", struct.pack("!I", 0)) + _msg(b"Z", b"I")
    if name == "key_midsession":
        return _msg(b"K", struct.pack("!II", 1, 2)) + _msg(b"Z", b"I")
    raise KeyError(name)


def _portal_width(name: bytes) -> int:
    """Columns of a portal or statement of the extended cases: "w3..." has 3, any other 1."""
    m = re.match(rb"w(\d+)", name)
    return int(m.group(1)) if m else 1


def _extended_reply(name: str, msgs: list[tuple[bytes, bytes]]) -> bytes:
    """Answers to one extended batch (`msgs` up to its Sync) of the case `name`: every portal
    is as wide as its name says (_portal_width), and its Describe says so; `ext_wide_rows`
    sends rows 2 values wider than that, `ext_overrun` a row claiming 2 values and carrying 1;
    `ext_honest` is a correct server."""
    out = b""
    for t, body in msgs:
        if t == b"P":
            out += _msg(b"1")
        elif t == b"B":
            out += _msg(b"2")
        elif t == b"C":
            out += _msg(b"3")
        elif t == b"D":
            if body[:1] == b"S":
                out += _msg(b"t", struct.pack("!H", 0))
            n = _portal_width(body[1:].split(b"\0", 1)[0])
            out += _msg(b"T", struct.pack("!H", n) + b"".join(
                b"c%d\0" % i + struct.pack("!IhIhih", 0, 0, 25, -1, -1, 0) for i in range(n)))
        elif t == b"E":
            n = _portal_width(body.split(b"\0", 1)[0]) + (2 if name == "ext_wide_rows" else 0)
            row = struct.pack("!H", n) + b"".join(struct.pack("!I", 1) + b"v" for _ in range(n))
            if name == "ext_overrun":
                row = struct.pack("!HI", 2, 1) + b"a"
            out += _msg(b"D", row) + _msg(b"C", b"SELECT 1\0")
    return out + _msg(b"Z", b"I")


EXTENDED = ("ext_honest", "ext_wide_rows", "ext_overrun")

HOSTILE = ("truncated_close", "truncated_stall", "wrong_length", "len_2_31", "len_2_31_minus_1",
           "len_max", "unknown_type", "datarow_fields", "datarow_short", "huge_error",
           "auth_midsession", "auth_ok_midsession", "key_midsession", "notice_flood",
           "stop_reading")


def _msg(t: bytes, body: bytes = b"") -> bytes:
    return t + struct.pack("!I", len(body) + 4) + body


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


class FakeBackend:
    def __init__(self, mode: str = "ok"):
        self.mode = mode
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.queries: list[str] = []
        self.outcomes: dict[str, list[str]] = {}
        self.notices_sent = 0
        self.huge_error_bytes = 2 * 1024 * 1024
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        try:
            self.sock.close()
        except OSError:
            pass

    def _accept_loop(self) -> None:
        self.sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _stall(self, conn: socket.socket) -> str:
        """Reads and drops whatever arrives until the peer closes or STALL_SECONDS pass."""
        deadline = time.monotonic() + STALL_SECONDS
        conn.settimeout(0.2)
        while time.monotonic() < deadline and not self._stop.is_set():
            try:
                if conn.recv(65536) == b"":
                    return "peer-closed"
            except socket.timeout:
                continue
            except OSError:
                return "peer-closed"
        return "stall-ended"

    def _note(self, name: str, what: str) -> None:
        self.outcomes.setdefault(name, []).append(what)

    def _hostile(self, conn: socket.socket, name: str) -> None:
        if name == "notice_flood":  # NoticeResponses without end, until a write fails
            n = _msg(b"N", b"SNOTICE\0C00000\0Mflood " + b"n" * 200 + b"\0\0")
            batch = n * 64
            conn.settimeout(30)
            try:
                while not self._stop.is_set():
                    conn.sendall(batch)
                    self.notices_sent += 64
            except OSError:
                self._note(name, "send-failed")
            return
        if name == "stop_reading":  # never reads again; holds the connection until told
            self._note(name, "stopped-reading")
            self._stop.wait(STALL_SECONDS)
            return
        try:
            conn.sendall(_hostile_reply(name, self.huge_error_bytes))
        except OSError:
            self._note(name, "send-failed")
            return
        self._note(name, "sent")
        if name == "truncated_close":
            self._note(name, "closed-by-fake")
            return
        self._note(name, self._stall(conn))

    def _serve(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(30)
            while True:  # SSLRequest / GSSENCRequest are refused, then the real startup
                n = struct.unpack("!I", _recv_exact(conn, 4))[0]
                body = _recv_exact(conn, n - 4)
                code = struct.unpack("!I", body[:4])[0]
                if code in (80877103, 80877104):
                    conn.sendall(b"N")
                    continue
                break
            if self.mode == "auth_len_huge":
                conn.sendall(b"R" + struct.pack("!I", 0xFFFFFFF0) + b"\0\0\0\0")
                self._stall(conn)
                return
            out = _msg(b"R", struct.pack("!I", 0))
            for k, v in (("server_version", "15.99"), ("server_encoding", "UTF8"), ("client_encoding", "UTF8"),
                         ("DateStyle", "ISO, MDY"), ("integer_datetimes", "on"), ("TimeZone", "UTC"),
                         ("standard_conforming_strings", "on"), ("IntervalStyle", "postgres"),
                         ("is_superuser", "off"), ("session_authorization", "fake"),
                         ("application_name", "")):
                out += _msg(b"S", k.encode() + b"\0" + v.encode() + b"\0")
            out += _msg(b"K", struct.pack("!II", 4242, 123456))
            out += _msg(b"Z", b"I")
            conn.sendall(out)
            batch: list[tuple[bytes, bytes]] = []  # extended messages since the last Sync
            ext = ""  # the extended case this connection runs (a Parse named it)
            while True:
                try:
                    hdr = _recv_exact(conn, 5)
                except EOFError:
                    if ext:
                        self._note(ext, "peer-closed")
                    raise
                t, n = hdr[:1], struct.unpack("!I", hdr[1:])[0]
                body = _recv_exact(conn, n - 4)
                if t == b"X":
                    if ext:
                        self._note(ext, "peer-closed")
                    return
                if t == b"P" and b"hostile:" in body:
                    ext = body.split(b"hostile:", 1)[1].split(b"'", 1)[0].decode()
                    if ext not in EXTENDED:
                        raise KeyError(ext)
                if t in (b"P", b"B", b"D", b"E", b"C"):
                    batch.append((t, body))
                    continue
                if t == b"S" and ext:
                    msgs, batch = batch, []
                    conn.sendall(_extended_reply(ext, msgs))
                    self._note(ext, "sent")
                    continue
                if t == b"Q":
                    text = body.rstrip(b"\0").decode(errors="replace")
                    self.queries.append(text)
                    if "hostile:" in text:
                        self._hostile(conn, text.split("hostile:", 1)[1].split("'", 1)[0])
                        return
                    if self.mode == "ok":
                        rd = struct.pack("!H", 1) + b"?column?\0" + struct.pack("!IhIhih", 0, 0, 23, 4, -1, 0)
                        conn.sendall(_msg(b"T", rd) + _msg(b"D", struct.pack("!HI", 1, 1) + b"1")
                                     + _msg(b"C", b"SELECT 1\0") + _msg(b"Z", b"I"))
                        continue
                    bogus = {"datarow_len_huge": 0xFFFFFFF0, "datarow_len_2": 2, "datarow_len_0": 0}[self.mode]
                    rd = struct.pack("!H", 1) + b"x\0" + struct.pack("!IhIhih", 0, 0, 25, -1, -1, 0)
                    conn.sendall(_msg(b"T", rd) + b"D" + struct.pack("!I", bogus) + b"\0\x01\0\0")
                    self._stall(conn)
                    return
                if t == b"S":  # extended protocol outside EXTENDED: no support; say so
                    batch = []
                    conn.sendall(_msg(b"E", b"SERROR\0C0A000\0Mfake backend: extended protocol unsupported\0\0")
                                 + _msg(b"Z", b"I"))
        except (EOFError, OSError, KeyError):
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass
