"""A tiny fake PostgreSQL server for fault tests: trust auth, then misbehaves on demand.

Modes (FakeBackend.mode, may be changed between connections):
  ok                   answers every Query with one row ('1') properly
  datarow_len_huge     answers a Query with 'D' declaring length 0xFFFFFFF0, then stalls
  datarow_len_2        answers a Query with 'D' declaring length 2 (< 4), then stalls
  datarow_len_0        answers a Query with 'D' declaring length 0, then stalls
  auth_len_huge        answers the startup with 'R' declaring length 0xFFFFFFF0, then stalls
"""
from __future__ import annotations

import socket
import struct
import threading
import time

STALL_SECONDS = 20


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

    def _stall(self, conn: socket.socket) -> None:
        deadline = time.monotonic() + STALL_SECONDS
        conn.settimeout(0.2)
        while time.monotonic() < deadline and not self._stop.is_set():
            try:
                if conn.recv(65536) == b"":
                    return
            except socket.timeout:
                continue
            except OSError:
                return

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
            while True:
                hdr = _recv_exact(conn, 5)
                t, n = hdr[:1], struct.unpack("!I", hdr[1:])[0]
                body = _recv_exact(conn, n - 4)
                if t == b"X":
                    return
                if t == b"Q":
                    self.queries.append(body.rstrip(b"\0").decode(errors="replace"))
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
                if t == b"S":  # extended protocol: no support; say so and carry on
                    conn.sendall(_msg(b"E", b"SERROR\0C0A000\0Mfake backend: extended protocol unsupported\0\0")
                                 + _msg(b"Z", b"I"))
        except (EOFError, OSError, KeyError):
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass
