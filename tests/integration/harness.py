"""Integration-test harness for Airlock.

Starts a throwaway PostgreSQL 15 (PgServer), an Airlock gateway in front of it
(Gateway), and offers a minimal raw PostgreSQL v3 protocol client (RawConn) with
SCRAM-SHA-256 / md5 / cleartext authentication, used by tests that need to see
exact protocol messages or to open many connections quickly.

Environment switches:
  AIRLOCK_DIRECT=1   the "gateway" is PostgreSQL itself (roles alice/bob exist there)
  AIRLOCK_BIN=PATH   the gateway binary (default: build/release/src/app/airlock,
                     fallback build/debug/src/app/airlock, then the newest
                     build/*/src/app/airlock, relative to the repo root)
  PG_BINDIR=PATH     PostgreSQL server binaries (default: pg_config --bindir, then
                     /usr/lib/postgresql/15/bin)
"""
from __future__ import annotations

import asyncio
import atexit
import base64
import contextlib
import hashlib
import hmac
import os
import pwd
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

DIRECT = os.environ.get("AIRLOCK_DIRECT", "") not in ("", "0", "false", "no")

UPSTREAM_PASSWORD = "upstream-" + secrets.token_hex(8)
MD5_UPSTREAM_USER = "airlock_md5"
MD5_UPSTREAM_PASSWORD = "md5-" + secrets.token_hex(8)
AGENTS = {
    "alice": ("ALICE_PASSWORD", "alice-" + secrets.token_hex(8)),
    "bob": ("BOB_PASSWORD", "bob-" + secrets.token_hex(8)),
}


# --------------------------------------------------------------------------- utilities

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(host: str, port: int, timeout: float, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with code {proc.returncode} before listening on {host}:{port}")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError as e:  # not yet listening
            last = e
            time.sleep(0.05)
    raise TimeoutError(f"{host}:{port} did not accept TCP within {timeout}s ({last})")


def _pg_bindir() -> Path:
    env = os.environ.get("PG_BINDIR")
    if env:
        return Path(env)
    for cand in ("/usr/lib/postgresql/15/bin",):
        if Path(cand, "initdb").exists():
            return Path(cand)
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True).stdout.strip()
        if out and Path(out, "initdb").exists():
            return Path(out)
    raise RuntimeError("PostgreSQL server binaries (initdb) not found; set PG_BINDIR")


def _run_as_kwargs() -> dict:
    """PostgreSQL refuses to run as root: drop to the 'postgres' OS user when we are root."""
    if os.geteuid() != 0:
        return {}
    pw = pwd.getpwnam("postgres")
    return {"user": pw.pw_uid, "group": pw.pw_gid, "extra_groups": []}


# --------------------------------------------------------------------------- PostgreSQL

class PgServer:
    """A throwaway PostgreSQL cluster in a temp dir, listening on 127.0.0.1:<free port>."""

    SUPERUSER = "postgres"

    def __init__(self) -> None:
        self.bindir = _pg_bindir()
        self.tmp = Path(tempfile.mkdtemp(prefix="airlock-it-pg-"))
        self.datadir = self.tmp / "data"
        self.sockdir = self.tmp  # unix socket lives in the temp dir
        self.logfile = self.tmp / "postgres.log"
        self.host = "127.0.0.1"
        self.port = free_port()
        self.upstream_user = "airlock"
        self.upstream_password = UPSTREAM_PASSWORD
        self._runas = _run_as_kwargs()
        self._cleaned = False
        atexit.register(self.cleanup)  # safety net if the session dies before fixture teardown
        if self._runas:
            os.chown(self.tmp, self._runas["user"], self._runas["group"])
            os.chmod(self.tmp, 0o755)

    # -- process control
    def _pg(self, *args: str, timeout: float = 60, check: bool = True) -> subprocess.CompletedProcess:
        env = dict(os.environ, LC_ALL="C", LANG="C")
        return subprocess.run([str(self.bindir / args[0]), *args[1:]], capture_output=True, text=True,
                              timeout=timeout, check=check, env=env, cwd=self.tmp, **self._runas)

    def init(self) -> None:
        pwfile = self.tmp / "pwfile"
        pwfile.write_text("postgres-su\n")
        if self._runas:
            os.chown(pwfile, self._runas["user"], self._runas["group"])
        self._pg("initdb", "-D", str(self.datadir), "-U", self.SUPERUSER, "--pwfile", str(pwfile),
                 "-E", "UTF8", "--locale=C", "-A", "trust", "--no-sync")
        conf = self.datadir / "postgresql.conf"
        with conf.open("a") as f:
            f.write(f"""
# --- airlock integration tests
listen_addresses = '127.0.0.1'
port = {self.port}
unix_socket_directories = '{self.sockdir}'
password_encryption = 'scram-sha-256'
max_connections = 1100
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 128MB
log_min_messages = warning
log_connections = off
""")
        (self.datadir / "pg_hba.conf").write_text(f"""
# TYPE  DATABASE  USER                 ADDRESS        METHOD
local   all       all                                 trust
host    all       {MD5_UPSTREAM_USER}  127.0.0.1/32   md5
host    all       all                  127.0.0.1/32   scram-sha-256
""")

    def start(self) -> None:
        self._pg("pg_ctl", "-D", str(self.datadir), "-l", str(self.logfile), "-w", "-t", "60", "start")

    def restart(self) -> None:
        self._pg("pg_ctl", "-D", str(self.datadir), "-l", str(self.logfile), "-w", "-t", "60",
                 "-m", "fast", "restart")

    def stop(self) -> None:
        self._pg("pg_ctl", "-D", str(self.datadir), "-w", "-t", "30", "-m", "immediate", "stop",
                 check=False)

    def cleanup(self) -> None:
        if self._cleaned:
            return
        self._cleaned = True
        with contextlib.suppress(Exception):
            self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def log_tail(self, n: int = 60) -> str:
        try:
            return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    # -- superuser access (unix socket, trust)
    def su_conninfo(self, dbname: str = "app") -> str:
        return f"host={self.sockdir} port={self.port} user={self.SUPERUSER} dbname={dbname}"

    def su_connect(self, dbname: str = "app", **kw):
        import psycopg
        return psycopg.connect(self.su_conninfo(dbname), autocommit=True, connect_timeout=10, **kw)

    def setup_roles_and_data(self) -> None:
        import psycopg
        with psycopg.connect(self.su_conninfo("postgres"), autocommit=True, connect_timeout=10) as c:
            c.execute(f"CREATE ROLE {self.upstream_user} LOGIN PASSWORD '{self.upstream_password}'")
            c.execute("SET password_encryption = 'md5'")
            c.execute(f"CREATE ROLE {MD5_UPSTREAM_USER} LOGIN PASSWORD '{MD5_UPSTREAM_PASSWORD}'")
            c.execute("RESET password_encryption")
            c.execute(f"GRANT {self.upstream_user} TO {MD5_UPSTREAM_USER}")
            # Direct mode: the agents are real PostgreSQL roles acting with airlock's rights.
            for name, (_env, pw) in AGENTS.items():
                c.execute(f"CREATE ROLE {name} LOGIN PASSWORD '{pw}' IN ROLE {self.upstream_user}")
            c.execute(f"CREATE DATABASE app OWNER {self.upstream_user}")
            for name in AGENTS:  # objects they create belong to airlock, as through the gateway
                c.execute(f"ALTER ROLE {name} IN DATABASE app SET role = {self.upstream_user}")
        with psycopg.connect(self.su_conninfo("app"), autocommit=True, connect_timeout=10) as c:
            c.execute(f"SET ROLE {self.upstream_user}")
            c.execute("CREATE TABLE items(id serial PRIMARY KEY, name text, qty int)")
            c.execute("INSERT INTO items(name, qty) SELECT 'item-' || g, g % 100 FROM generate_series(1, 1000) g")
            c.execute("CREATE TABLE kv(k text PRIMARY KEY, v text)")
            c.execute("ANALYZE items")


@contextlib.contextmanager
def running_pg(with_data: bool = True):
    """A throwaway cluster of its own, started (with the roles and sample data unless told
    not to), removed afterwards; its log is printed if it fails to start."""
    server = PgServer()
    try:
        server.init()
        server.start()
        if with_data:
            server.setup_roles_and_data()
    except Exception:
        print("PostgreSQL log:\n" + server.log_tail(), file=sys.stderr)
        server.cleanup()
        raise
    try:
        yield server
    finally:
        server.cleanup()


# --------------------------------------------------------------------------- gateway

def find_airlock_bin() -> Path | None:
    env = os.environ.get("AIRLOCK_BIN")
    if env:
        p = Path(env)
        if not p.is_absolute():
            p = REPO_ROOT / p
        return p if p.exists() else None
    for rel in ("build/release/src/app/airlock", "build/debug/src/app/airlock"):
        p = REPO_ROOT / rel
        if p.exists():
            return p
    # any other preset's build dir (newest first)
    others = sorted(REPO_ROOT.glob("build/*/src/app/airlock"), key=lambda p: p.stat().st_mtime, reverse=True)
    return others[0] if others else None


@dataclass
class Agent:
    name: str
    password_env: str
    password: str


@dataclass
class Gateway:
    """What tests talk to: an Airlock process, or PostgreSQL itself in direct mode."""
    host: str
    port: int
    dbname: str
    agents: dict[str, Agent]
    direct: bool
    pg: PgServer | None = None
    proc: subprocess.Popen | None = None
    config_path: Path | None = None
    log_path: Path | None = None
    upstream_user: str = "airlock"
    _tmp: Path | None = None
    extra: dict = field(default_factory=dict)

    def password(self, agent: str = "alice") -> str:
        return self.agents[agent].password

    def conninfo(self, agent: str = "alice", **overrides) -> dict:
        d = dict(host=self.host, port=self.port, user=agent, password=self.password(agent),
                 dbname=self.dbname, connect_timeout=10)
        d.update(overrides)
        return d

    def dsn(self, agent: str = "alice", **overrides) -> str:
        return " ".join(f"{k}={_q(v)}" for k, v in self.conninfo(agent, **overrides).items())

    def connect(self, agent: str = "alice", **kw):
        import psycopg
        kw.setdefault("autocommit", True)
        return psycopg.connect(self.dsn(agent), **kw)

    def env(self, agent: str = "alice") -> dict:
        """Environment for libpq/node/JDBC child processes pointing at the gateway."""
        e = dict(os.environ)
        for k in list(e):
            if k.startswith("PG") and k not in ("PG_BINDIR",):
                del e[k]
        # psql derives client_encoding from the locale (SQL_ASCII under plain C); a UTF-8
        # locale makes it send UTF8 as a user's terminal would.
        e.update(LC_ALL="C.UTF-8", LANG="C.UTF-8")
        e.update(PGHOST=self.host, PGPORT=str(self.port), PGUSER=agent,
                 PGPASSWORD=self.password(agent), PGDATABASE=self.dbname, PGCONNECT_TIMEOUT="10")
        return e

    def alive(self) -> bool:
        return self.direct or (self.proc is not None and self.proc.poll() is None)

    def log_text(self) -> str:
        if self.log_path and self.log_path.exists():
            return self.log_path.read_text(errors="replace")
        return ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            with contextlib.suppress(Exception):
                self.proc.wait(timeout=10)
        if self._tmp:
            shutil.rmtree(self._tmp, ignore_errors=True)


def _q(v) -> str:
    s = str(v)
    if s == "" or any(c in s for c in " '\\"):
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return s


def _yaml_flow(d: dict) -> str:
    return "{" + ", ".join(f"{k}: {v}" for k, v in d.items()) + "}"


def write_config(path: Path, listen_port: int, up_host: str, up_port: int, up_user: str,
                 up_password_env: str | None, agents: dict[str, Agent], database: str = "app",
                 log_level: str = "info", *, upstream_opts: dict | None = None,
                 timeouts: dict | None = None, extra_yaml: str = "",
                 agent_policies: dict[str, str] | None = None) -> None:
    """Writes a gateway config. `upstream_opts` and `timeouts` override/add keys of those
    sections; `extra_yaml` is appended as further top-level sections (before `agents`);
    `agent_policies` maps an agent name to YAML keys of its entry besides the password
    (`mode:`, `allow:`, `hold:`), written indented under the agent."""
    up = {"host": up_host, "port": up_port, "database": database, "user": up_user}
    if up_password_env:
        up["password_env"] = up_password_env
    up["sslmode"] = "disable"
    up.update(upstream_opts or {})
    t = {"connect": "5s", "auth": "10s", "client_idle": 0}
    t.update(timeouts or {})
    lines = [
        f"listen: 127.0.0.1:{listen_port}",
        "upstream: " + _yaml_flow(up),
        "timeouts: " + _yaml_flow(t),
        f"log: {{level: {log_level}}}",
    ]
    if extra_yaml:
        lines += extra_yaml.strip("\n").splitlines()
    if not any(l.startswith("state:") for l in lines):
        # Every gateway gets a state store (holds and budgets need one); a hold answers at
        # once unless a test asks for a wait.
        lines.append("state: " + _yaml_flow({"path": _q(str(path.parent / "state.db"))}))
    if not any(l.startswith("approvals:") for l in lines):
        lines.append("approvals: {hold_wait: 0s}")
    lines.append("agents:")
    policies = agent_policies or {}
    for a in agents.values():
        if a.name in policies:
            lines.append(f"  {a.name}:")
            lines.append(f"    password_env: {a.password_env}")
            body = textwrap.dedent(policies[a.name]).strip("\n")
            if "breaker:" not in body:
                # Tests repeat the same refused statement on purpose; only the traffic tests
                # want the retry-storm breaker.
                body += "\nbreaker: off"
            lines += textwrap.indent(body, "    ").splitlines()
        else:
            # Transport tests (pass-through, faults, clients) run their agents in observe
            # mode: every decision is made and logged, every statement forwarded. The
            # test_enforce_* files give their agents real policies.
            lines.append(f"  {a.name}: {{password_env: {a.password_env}, mode: observe, breaker: off}}")
    path.write_text("\n".join(lines) + "\n")


def start_gateway(pg: PgServer | None, *, up_host: str | None = None, up_port: int | None = None,
                  up_user: str | None = None, up_password: str | None = None,
                  database: str = "app", name: str = "gw", upstream_opts: dict | None = None,
                  timeouts: dict | None = None, extra_yaml: str = "", extra_env: dict | None = None,
                  extra_agents: dict[str, tuple[str, str]] | None = None,
                  agent_policies: dict[str, str] | None = None) -> Gateway:
    """Starts an Airlock process. Upstream defaults to `pg` with the airlock role.

    upstream_opts / timeouts: keys merged into those config sections (e.g. {"sslmode": "require"},
    {"client_idle": "1s"}); extra_yaml: further top-level sections (`tls: {...}`, `limits: {...}`);
    extra_env: additional environment for the process; extra_agents: name -> (env var, password)
    added to the config's agents (the password is put in the environment); agent_policies:
    agent name -> YAML of its policy keys (`allow:`/`hold:`/`mode:`), see write_config."""
    binary = find_airlock_bin()
    if binary is None:
        raise RuntimeError("airlock binary not found (set AIRLOCK_BIN or build it; or run with AIRLOCK_DIRECT=1)")
    tmp = Path(tempfile.mkdtemp(prefix=f"airlock-it-{name}-"))
    agents = {n: Agent(n, env, pw) for n, (env, pw) in AGENTS.items()}
    for n, (env_name, pw) in (extra_agents or {}).items():
        agents[n] = Agent(n, env_name, pw)
    port = free_port()
    up_host = up_host or (pg.host if pg else "127.0.0.1")
    up_port = up_port or (pg.port if pg else 5432)
    up_user = up_user or (pg.upstream_user if pg else "airlock")
    if up_password is None and pg is not None:
        up_password = pg.upstream_password
    cfg = tmp / "airlock.yaml"
    write_config(cfg, port, up_host, up_port, up_user,
                 "AIRLOCK_UPSTREAM_PASSWORD" if up_password else None, agents, database,
                 upstream_opts=upstream_opts, timeouts=timeouts, extra_yaml=extra_yaml,
                 agent_policies=agent_policies)
    env = dict(os.environ)
    env.update(extra_env or {})
    for a in agents.values():
        env[a.password_env] = a.password
    if up_password:
        env["AIRLOCK_UPSTREAM_PASSWORD"] = up_password
    log_path = tmp / "airlock.log"
    logf = log_path.open("wb")
    proc = subprocess.Popen([str(binary), "serve", "--config", str(cfg)], stdout=logf,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, cwd=tmp)
    logf.close()
    atexit.register(lambda: proc.poll() is None and proc.kill())
    gw = Gateway(host="127.0.0.1", port=port, dbname=database, agents=agents, direct=False, pg=pg,
                 proc=proc, config_path=cfg, log_path=log_path, upstream_user=up_user, _tmp=tmp)
    try:
        wait_for_port("127.0.0.1", port, 10, proc)
    except Exception:
        out = gw.log_text()
        gw.stop()
        raise RuntimeError(f"airlock did not start: config:\n{cfg.read_text() if cfg.exists() else ''}\nlog:\n{out}")
    return gw


@contextlib.contextmanager
def policy_gateway(pg: PgServer, name: str, agents: dict, policies: dict, schema: str,
                   ready: tuple[str, str]):
    """A gateway of its own for a test module: `schema` is run first (as superuser), then
    the gateway waits until agent `ready[0]` may run `ready[1]`; its log is printed if it
    exited early."""
    with pg.su_connect() as c:
        c.execute(schema)
    gw = start_gateway(pg, name=name, extra_agents=agents, agent_policies=policies)
    try:
        wait_until_allowed(gw, ready[0], ready[1])
        yield gw
    finally:
        log = gw.log_text()
        alive = gw.proc.poll() is None
        gw.stop()
        if not alive:
            print(f"\n=== airlock exited early; log:\n{log}", file=sys.stderr)


def wait_until_allowed(gw: Gateway, agent: str, sql: str, timeout: float = 15) -> None:
    """The gateway reads the upstream catalog shortly after it starts; until then a table the
    test created just before is unknown and refused. Waits until `sql` runs as `agent`."""
    import psycopg  # Debian's python3-psycopg (the system interpreter runs the tests)
    deadline = time.monotonic() + timeout
    while True:
        try:
            with psycopg.connect(gw.dsn(agent), autocommit=True) as c:
                c.execute(sql)
                return
        except psycopg.errors.InsufficientPrivilege:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def direct_gateway(pg: PgServer) -> Gateway:
    agents = {n: Agent(n, env, pw) for n, (env, pw) in AGENTS.items()}
    return Gateway(host=pg.host, port=pg.port, dbname="app", agents=agents, direct=True, pg=pg,
                   upstream_user="alice")


# --------------------------------------------------------------------------- raw protocol client

PROTOCOL_V3 = 196608
CANCEL_CODE = 80877102
SSL_CODE = 80877103


class ProtocolError(Exception):
    pass


class PgError(Exception):
    def __init__(self, fields: dict[str, str]):
        self.fields = fields
        super().__init__(f"{fields.get('S', '?')} {fields.get('C', '?')}: {fields.get('M', '')}")

    @property
    def sqlstate(self) -> str | None:
        return self.fields.get("C")


def parse_error_fields(body: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in body.split(b"\0"):
        if part:
            out[chr(part[0])] = part[1:].decode("utf-8", "replace")
    return out


def msg(t: bytes, body: bytes = b"") -> bytes:
    return t + struct.pack("!I", len(body) + 4) + body


def startup_packet(params: dict[str, str], protocol: int = PROTOCOL_V3) -> bytes:
    body = struct.pack("!I", protocol)
    for k, v in params.items():
        body += k.encode() + b"\0" + v.encode() + b"\0"
    body += b"\0"
    return struct.pack("!I", len(body) + 4) + body


_SALTED_CACHE: dict[tuple, bytes] = {}


def _salted(password: str, salt: bytes, iters: int) -> bytes:
    key = (password, salt, iters)
    v = _SALTED_CACHE.get(key)
    if v is None:
        v = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iters)
        _SALTED_CACHE[key] = v
    return v


class RawConn:
    """Minimal asyncio PostgreSQL v3 client: startup, auth (SCRAM-SHA-256/md5/cleartext),
    simple query. Messages are (type_byte: bytes, body: bytes)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader = reader
        self.writer = writer
        self.params: dict[str, str] = {}
        self.backend_key: tuple[int, int] | None = None
        self.auth_flow: list[str] = []  # e.g. ["SASL:SCRAM-SHA-256", "SASLContinue", "error:28P01"]

    @classmethod
    async def open(cls, host: str, port: int, timeout: float = 10) -> "RawConn":
        r, w = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
        return cls(r, w)

    @classmethod
    async def connect(cls, host: str, port: int, user: str, password: str, database: str = "app",
                      extra: dict[str, str] | None = None, timeout: float = 15) -> "RawConn":
        c = await cls.open(host, port, timeout)
        try:
            await asyncio.wait_for(c.startup(user, password, database, extra), timeout)
        except BaseException:
            c.abort()
            raise
        return c

    async def read_msg(self) -> tuple[bytes, bytes]:
        hdr = await self.reader.readexactly(5)
        t, n = hdr[:1], struct.unpack("!I", hdr[1:])[0]
        if n < 4 or n > 256 * 1024 * 1024:
            raise ProtocolError(f"bad message length {n} for type {t!r}")
        body = await self.reader.readexactly(n - 4)
        return t, body

    def send(self, data: bytes) -> None:
        self.writer.write(data)

    async def startup(self, user: str, password: str, database: str = "app",
                      extra: dict[str, str] | None = None) -> None:
        params = {"user": user, "database": database}
        params.update(extra or {})
        self.send(startup_packet(params))
        await self.writer.drain()
        scram = None
        while True:
            t, body = await self.read_msg()
            if t == b"E":
                f = parse_error_fields(body)
                self.auth_flow.append("error:" + f.get("C", "?"))
                raise PgError(f)
            if t == b"R":
                code = struct.unpack("!I", body[:4])[0]
                if code == 0:
                    self.auth_flow.append("ok")
                elif code == 3:
                    self.auth_flow.append("cleartext")
                    self.send(msg(b"p", password.encode() + b"\0"))
                elif code == 5:
                    self.auth_flow.append("md5")
                    salt = body[4:8]
                    inner = hashlib.md5((password + user).encode()).hexdigest()
                    outer = "md5" + hashlib.md5(inner.encode() + salt).hexdigest()
                    self.send(msg(b"p", outer.encode() + b"\0"))
                elif code == 10:
                    mechs = [m.decode() for m in body[4:].split(b"\0") if m]
                    self.auth_flow.append("SASL:" + ",".join(mechs))
                    if "SCRAM-SHA-256" not in mechs:
                        raise ProtocolError(f"no SCRAM-SHA-256 in {mechs}")
                    nonce = base64.b64encode(secrets.token_bytes(18)).decode()
                    scram = {"bare": f"n=,r={nonce}", "nonce": nonce}
                    first = ("n,," + scram["bare"]).encode()
                    self.send(msg(b"p", b"SCRAM-SHA-256\0" + struct.pack("!i", len(first)) + first))
                elif code == 11:
                    self.auth_flow.append("SASLContinue")
                    server_first = body[4:].decode()
                    attrs = dict(kv.split("=", 1) for kv in server_first.split(","))
                    if not attrs["r"].startswith(scram["nonce"]):
                        raise ProtocolError("server nonce does not extend client nonce")
                    salted = _salted(password, base64.b64decode(attrs["s"]), int(attrs["i"]))
                    client_key = hmac.new(salted, b"Client Key", "sha256").digest()
                    stored_key = hashlib.sha256(client_key).digest()
                    without_proof = f"c=biws,r={attrs['r']}"
                    auth_msg = f"{scram['bare']},{server_first},{without_proof}".encode()
                    sig = hmac.new(stored_key, auth_msg, "sha256").digest()
                    proof = bytes(a ^ b for a, b in zip(client_key, sig))
                    server_key = hmac.new(salted, b"Server Key", "sha256").digest()
                    scram["server_sig"] = hmac.new(server_key, auth_msg, "sha256").digest()
                    self.send(msg(b"p", (without_proof + ",p=" + base64.b64encode(proof).decode()).encode()))
                elif code == 12:
                    self.auth_flow.append("SASLFinal")
                    attrs = dict(kv.split("=", 1) for kv in body[4:].decode().split(","))
                    if base64.b64decode(attrs.get("v", "")) != scram["server_sig"]:
                        raise ProtocolError("bad SCRAM server signature")
                else:
                    raise ProtocolError(f"unsupported auth request {code}")
                await self.writer.drain()
            elif t == b"S":
                k, v, _ = body.split(b"\0", 2)
                self.params[k.decode()] = v.decode()
            elif t == b"K":
                self.backend_key = struct.unpack("!II", body[:8])
            elif t == b"Z":
                return
            elif t == b"N":
                pass
            else:
                raise ProtocolError(f"unexpected message {t!r} during startup")

    async def query(self, sql: str) -> list[list[tuple[bytes, ...]]]:
        """Simple query. Returns rows per result set (values as bytes or None); raises PgError
        on ErrorResponse (after consuming up to ReadyForQuery)."""
        self.send(msg(b"Q", sql.encode() + b"\0"))
        await self.writer.drain()
        results: list[list] = []
        cur: list | None = None
        err = None
        while True:
            t, body = await self.read_msg()
            if t == b"T":
                cur = []
            elif t == b"D":
                n = struct.unpack("!H", body[:2])[0]
                off, row = 2, []
                for _ in range(n):
                    ln = struct.unpack("!i", body[off:off + 4])[0]
                    off += 4
                    if ln < 0:
                        row.append(None)
                    else:
                        row.append(body[off:off + ln])
                        off += ln
                cur.append(tuple(row))
            elif t == b"C":
                results.append(cur if cur is not None else [])
                cur = None
            elif t == b"E":
                err = PgError(parse_error_fields(body))
            elif t == b"Z":
                if err:
                    raise err
                return results
            # I (EmptyQuery), N, S, A: ignore

    def abort(self) -> None:
        """Close abruptly (RST, no Terminate)."""
        with contextlib.suppress(Exception):
            sock = self.writer.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        with contextlib.suppress(Exception):
            self.writer.transport.abort()

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            self.send(msg(b"X"))
            await self.writer.drain()
        with contextlib.suppress(Exception):
            self.writer.close()
            await asyncio.wait_for(self.writer.wait_closed(), 2)


def run(coro, timeout: float = 60):
    """Runs a coroutine from synchronous test code with an overall timeout."""
    return asyncio.run(asyncio.wait_for(coro, timeout))


def read_reply_or_close(sock: socket.socket, timeout: float) -> str:
    """After sending something bad: 'error' if an ErrorResponse arrives first, 'closed' on EOF or
    reset, 'timeout' when neither happens in time, or 'other:<byte>' for anything else."""
    sock.settimeout(timeout)
    try:
        b = sock.recv(1)
    except socket.timeout:
        return "timeout"
    except (ConnectionResetError, BrokenPipeError):
        return "closed"
    if b == b"":
        return "closed"
    if b == b"E":
        return "error"
    return f"other:{b!r}"


def python_for_tests() -> str:
    return sys.executable


# --------------------------------------------------------------------------- helpers for feature tests

GSSENC_CODE = 80877104


def make_self_signed_cert(directory: Path, name: str = "server", cn: str = "localhost") -> tuple[Path, Path]:
    """A throwaway self-signed certificate (its own CA) and its unencrypted key, valid one day."""
    cert, key = Path(directory) / f"{name}.crt", Path(directory) / f"{name}.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={cn}",
                    "-days", "1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    os.chmod(key, 0o600)
    return cert, key


def connect_error(host: str, port: int, user: str, password: str, database: str = "app",
                  timeout: float = 15) -> dict[str, str] | None:
    """Logs in with the raw client; returns the ErrorResponse fields if the login is refused,
    None if it succeeds (the connection is then closed)."""
    async def go():
        try:
            c = await RawConn.connect(host, port, user, password, database, timeout=timeout)
        except PgError as e:
            return e.fields
        await c.close()
        return None
    return run(go(), timeout + 5)


async def read_until_close(c: RawConn, timeout: float) -> tuple[list[tuple[bytes, bytes]], bool]:
    """Reads messages until EOF/reset (closed=True) or until nothing arrives for `timeout`."""
    out = []
    try:
        while True:
            out.append(await asyncio.wait_for(c.read_msg(), timeout))
    except (asyncio.IncompleteReadError, ConnectionError):
        return out, True
    except asyncio.TimeoutError:
        return out, False


def error_codes(messages: list[tuple[bytes, bytes]]) -> list[str]:
    return [parse_error_fields(body).get("C", "?") for t, body in messages if t == b"E"]
