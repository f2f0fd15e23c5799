#!/usr/bin/python3
"""Memory per idle connection of Airlock (and pgbouncer, for comparison).

Opens N authenticated connections through each proxy, runs `SELECT 1` once on each (so that a
session-pooling proxy has linked a server connection too), leaves them idle, and reads the proxy's
VmRSS from /proc/<pid>/status before and after. Goal for Airlock: <= 64 KiB per idle connection.

Run with Debian's interpreter (/usr/bin/python3, which has psycopg 3), not a pyenv python.

  /usr/bin/python3 bench/idle_memory.py --standalone
      sets up everything itself (throwaway PostgreSQL, Airlock, pgbouncer) through
      `bench/run.sh --idle-only`, which then calls this script with --target arguments.
  /usr/bin/python3 bench/idle_memory.py --target airlock:127.0.0.1:PORT:PID [--target ...]
      against running proxies; user/database `bench`, password from $BENCH_PASSWORD.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

GOAL_KIB = 64


def status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/{pid}/status")


def settle_rss(pid: int, seconds: float = 1.5) -> int:
    time.sleep(seconds)
    return status_kib(pid, "VmRSS")


def measure(name: str, host: str, port: int, pid: int, n: int, user: str, password: str,
            dbname: str, workers: int) -> dict:
    import psycopg

    def open_one(_i: int):
        c = psycopg.connect(host=host, port=port, user=user, password=password, dbname=dbname,
                            autocommit=True, connect_timeout=10)
        c.execute("SELECT 1").fetchall()
        return c

    # Warm up: one connection in and out, so one-off lazy initialisation is not counted.
    open_one(0).close()
    before = settle_rss(pid)
    before_anon = status_kib(pid, "RssAnon")
    t0 = time.monotonic()
    conns = []
    errors = 0
    with ThreadPoolExecutor(max_workers=workers) as ex:
        for fut in [ex.submit(open_one, i) for i in range(n)]:
            try:
                conns.append(fut.result())
            except Exception as e:  # noqa: BLE001 - report and go on
                errors += 1
                if errors <= 3:
                    print(f"   {name}: connect failed: {e}", file=sys.stderr)
    opened = time.monotonic() - t0
    after = settle_rss(pid)
    after_anon = status_kib(pid, "RssAnon")
    fds = len(os.listdir(f"/proc/{pid}/fd")) if os.access(f"/proc/{pid}/fd", os.R_OK) else None
    for c in conns:
        c.close()
    closed = settle_rss(pid, 2.0)
    ok = len(conns)
    per = (after - before) / ok if ok else float("nan")
    r = {"target": name, "connections": ok, "failed": errors, "open_seconds": round(opened, 2),
         "rss_before_kib": before, "rss_after_kib": after, "rss_after_close_kib": closed,
         "rss_anon_before_kib": before_anon, "rss_anon_after_kib": after_anon,
         "kib_per_idle_connection": round(per, 1), "open_fds_with_connections": fds}
    print(f"   {name:<10} {ok} idle connections ({errors} failed, opened in {opened:.1f}s): "
          f"VmRSS {before} -> {after} KiB = {per:.1f} KiB per connection "
          f"(RssAnon {before_anon} -> {after_anon}); after closing all: {closed} KiB")
    return r


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--standalone", action="store_true",
                    help="start PostgreSQL, Airlock and pgbouncer via bench/run.sh --idle-only")
    ap.add_argument("--target", action="append", default=[], metavar="NAME:HOST:PORT:PID")
    ap.add_argument("--connections", type=int, default=1000)
    ap.add_argument("--user", default="bench")
    ap.add_argument("--dbname", default="bench")
    ap.add_argument("--password-env", default="BENCH_PASSWORD")
    ap.add_argument("--workers", type=int, default=8, help="threads opening connections")
    ap.add_argument("--json", help="write the figures to this file")
    a = ap.parse_args()

    if a.standalone:
        script = Path(__file__).resolve().parent / "run.sh"
        env = dict(os.environ, BENCH_IDLE_CONNS=str(a.connections))
        return subprocess.call(["bash", str(script), "--idle-only"], env=env)
    if not a.target:
        ap.error("give --target NAME:HOST:PORT:PID (one per proxy) or --standalone")
    password = os.environ.get(a.password_env, "")
    if not password:
        ap.error(f"${a.password_env} is not set")

    results = []
    for spec in a.target:
        name, host, port, pid = spec.rsplit(":", 3)
        results.append(measure(name, host, int(port), int(pid), a.connections, a.user, password,
                               a.dbname, a.workers))
    for r in results:
        if r["target"] == "airlock":
            met = r["connections"] == a.connections and r["kib_per_idle_connection"] <= GOAL_KIB
            print(f"{'MET    ' if met else 'NOT MET'} airlock <= {GOAL_KIB} KiB per idle connection "
                  f"({r['kib_per_idle_connection']} KiB)")
    if a.json:
        Path(a.json).parent.mkdir(parents=True, exist_ok=True)
        Path(a.json).write_text(json.dumps({"goal_kib": GOAL_KIB, "results": results}, indent=2) + "\n")
    return 0 if all(r["failed"] == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
