#!/usr/bin/env bash
# Airlock throughput/latency benchmark: pgbench against PostgreSQL directly, through Airlock and
# through pgbouncer (session pooling), interleaved, on a throwaway PostgreSQL 15.
#
#   make bench                         builds the release binary, then runs this script
#   bash bench/run.sh                  full run (expects build/release/src/app/airlock)
#   bash bench/run.sh --quick          smoke run: 3 s per run, 1 round
#   bash bench/run.sh --idle-only      only the idle-connection memory section
#   bash bench/run.sh --profile        only the profile section (-S -M $PROFILE_MODE -c 8 via Airlock; PROFILE_MODE=prepared by default)
#   bash bench/run.sh --no-idle        skip the idle-connection memory section
#   bash bench/run.sh --storm          only the isolation section: pgbench -S -M prepared -c 8 as one
#                                      agent, without and with a second agent retrying a failing
#                                      statement on 8 connections (the retry-storm breaker's job)
#
# Environment knobs:
#   BENCH_SECONDS   duration of one pgbench run (default 10; --quick: 3)
#   BENCH_ROUNDS    rounds of the interleaved direct/airlock/pgbouncer triple (default 2; median taken)
#   BENCH_CLIENTS   client counts (default "1 8 32")
#   BENCH_MODES     pgbench query modes (default "simple extended prepared")
#   BENCH_WORKLOADS "select tpcb" (default both); select = pgbench -S, tpcb = built-in TPC-B-like
#   BENCH_TARGETS   default "direct airlock pgbouncer"
#   BENCH_SCALE     pgbench -i scale (default 10)
#   BENCH_IDLE_CONNS idle connections for the memory section (default 1000)
#   AIRLOCK_BIN     gateway binary (default build/release/src/app/airlock)
#   PG_BINDIR       PostgreSQL 15 server binaries (default /usr/lib/postgresql/15/bin)
#
# Output: a table on stdout, JSON in build/bench/results.json, raw pgbench logs in build/bench/raw/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD

MODE_ALL=1; DO_BENCH=1; DO_IDLE=1; DO_PROFILE=0; DO_STORM=0
QUICK=${BENCH_QUICK:-0}
for arg in "$@"; do
  case "$arg" in
    --quick) QUICK=1 ;;
    --idle-only) DO_BENCH=0; DO_IDLE=1; DO_PROFILE=0 ;;
    --profile) DO_BENCH=0; DO_IDLE=0; DO_PROFILE=1 ;;
    --no-idle) DO_IDLE=0 ;;
    --storm) DO_BENCH=0; DO_IDLE=0; DO_PROFILE=0; DO_STORM=1 ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "bench/run.sh: unknown argument '$arg'" >&2; exit 2 ;;
  esac
done
if [[ "$QUICK" == 1 ]]; then
  SECONDS_PER_RUN=${BENCH_SECONDS:-3}; ROUNDS=${BENCH_ROUNDS:-1}
else
  SECONDS_PER_RUN=${BENCH_SECONDS:-10}; ROUNDS=${BENCH_ROUNDS:-2}
fi
CLIENTS=${BENCH_CLIENTS:-"1 8 32"}
MODES=${BENCH_MODES:-"simple extended prepared"}
WORKLOADS=${BENCH_WORKLOADS:-"select tpcb"}
TARGETS=${BENCH_TARGETS:-"direct airlock pgbouncer"}
SCALE=${BENCH_SCALE:-10}
IDLE_CONNS=${BENCH_IDLE_CONNS:-1000}
AIRLOCK_BIN=${AIRLOCK_BIN:-build/release/src/app/airlock}
PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
PY=/usr/bin/python3          # Debian's python has psycopg 3; a pyenv python on PATH does not
PGBOUNCER=${PGBOUNCER:-/usr/sbin/pgbouncer}
OUT_DIR=$REPO/build/bench
RAW_DIR=$OUT_DIR/raw

[[ -x "$AIRLOCK_BIN" ]] || { echo "bench: $AIRLOCK_BIN not found; run 'make bench' (it builds first)" >&2; exit 1; }
[[ -x "$PG_BINDIR/initdb" ]] || { echo "bench: PostgreSQL binaries not found in $PG_BINDIR" >&2; exit 1; }
for tool in pgbench psql; do command -v "$tool" >/dev/null || { echo "bench: $tool not on PATH" >&2; exit 1; }; done
[[ -x "$PGBOUNCER" ]] || { echo "bench: pgbouncer not found ($PGBOUNCER)" >&2; exit 1; }
AIRLOCK_BIN=$(realpath "$AIRLOCK_BIN")

# 1000 idle connections need ~2000 descriptors in each proxy (client + server side).
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# --------------------------------------------------------------------------- environment
TMP=$(mktemp -d "${TMPDIR:-/tmp}/airlock-bench.XXXXXX")
chmod 755 "$TMP"
RUNAS=()
if [[ $(id -u) == 0 ]]; then
  id postgres >/dev/null 2>&1 || { echo "bench: running as root needs a 'postgres' user" >&2; exit 1; }
  chown postgres: "$TMP"
  RUNAS=(runuser -u postgres --)
fi
PGDATA_DIR=$TMP/pgdata
AIRLOCK_PID=""; PGB_PID=""; PG_STARTED=0

cleanup() {
  local rc=$?
  set +e
  [[ -n "$AIRLOCK_PID" ]] && kill "$AIRLOCK_PID" 2>/dev/null && wait "$AIRLOCK_PID" 2>/dev/null
  if [[ -n "$PGB_PID" ]]; then
    kill "$PGB_PID" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$PGB_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$PGB_PID" 2>/dev/null
  fi
  [[ "$PG_STARTED" == 1 ]] && "${RUNAS[@]}" "$PG_BINDIR/pg_ctl" -D "$PGDATA_DIR" -m immediate -w stop >/dev/null 2>&1
  if [[ $rc != 0 && -d "$TMP" ]]; then
    mkdir -p "$OUT_DIR/logs"
    cp -f "$TMP"/*.log "$OUT_DIR/logs/" 2>/dev/null
    echo "bench: failed (exit $rc); logs copied to build/bench/logs/" >&2
  fi
  rm -rf "$TMP"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {  # host port pid timeout_s
  local i
  for ((i = 0; i < $4 * 10; i++)); do
    [[ -n "$3" ]] && ! kill -0 "$3" 2>/dev/null && return 1
    (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}
proc_cpu_ticks() {  # utime+stime of a process (all its threads), in clock ticks
  awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0
}
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

PG_PORT=$(free_port); AIRLOCK_PORT=$(free_port); PGB_PORT=$(free_port)
while [[ "$AIRLOCK_PORT" == "$PG_PORT" ]]; do AIRLOCK_PORT=$(free_port); done
while [[ "$PGB_PORT" == "$PG_PORT" || "$PGB_PORT" == "$AIRLOCK_PORT" ]]; do PGB_PORT=$(free_port); done
UPSTREAM_PW="upstream-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
BENCH_PW="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
STORM_PW="storm-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export AIRLOCK_UPSTREAM_PASSWORD=$UPSTREAM_PW BENCH_PASSWORD=$BENCH_PW STORM_PASSWORD=$STORM_PW

echo "== bench: $(nproc) cores, load average $(loadavg), ${SECONDS_PER_RUN}s per run, $ROUNDS round(s)"

# --- PostgreSQL 15
echo "postgres-su" > "$TMP/pwfile"; [[ ${#RUNAS[@]} -gt 0 ]] && chown postgres: "$TMP/pwfile"
"${RUNAS[@]}" env LC_ALL=C "$PG_BINDIR/initdb" -D "$PGDATA_DIR" -U postgres --pwfile "$TMP/pwfile" \
  -E UTF8 --locale=C -A trust --no-sync >"$TMP/initdb.log" 2>&1
cat >>"$PGDATA_DIR/postgresql.conf" <<EOF
# --- airlock bench
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$TMP'
max_connections = 1200
shared_buffers = 128MB
fsync = off
synchronous_commit = off
full_page_writes = off
password_encryption = 'scram-sha-256'
log_min_messages = warning
EOF
cat >"$PGDATA_DIR/pg_hba.conf" <<EOF
local all all                trust
host  all all 127.0.0.1/32   scram-sha-256
EOF
"${RUNAS[@]}" "$PG_BINDIR/pg_ctl" -D "$PGDATA_DIR" -l "$TMP/postgres.log" -w -t 60 start >/dev/null
PG_STARTED=1
su_psql() { psql -X -q -v ON_ERROR_STOP=1 -h "$TMP" -p "$PG_PORT" -U postgres "$@"; }
su_psql -d postgres <<EOF >/dev/null
CREATE ROLE airlock LOGIN PASSWORD '$UPSTREAM_PW';
CREATE ROLE bench LOGIN PASSWORD '$BENCH_PW' IN ROLE airlock;
CREATE DATABASE bench OWNER airlock;
EOF
echo "-- pgbench -i -s $SCALE"
pgbench -i -s "$SCALE" -q -h "$TMP" -p "$PG_PORT" -U airlock bench >"$TMP/pgbench-init.log" 2>&1 \
  || { cat "$TMP/pgbench-init.log" >&2; exit 1; }
su_psql -d bench -c "VACUUM ANALYZE" >/dev/null

# --- Airlock
cat >"$TMP/airlock.yaml" <<EOF
listen: 127.0.0.1:$AIRLOCK_PORT
threads: ${AIRLOCK_THREADS:-0}
upstream: {host: 127.0.0.1, port: $PG_PORT, database: bench, user: airlock, password_env: AIRLOCK_UPSTREAM_PASSWORD, sslmode: disable}
limits: {max_connections: 10000}
agents:
  # The policy is on: every statement is analyzed and decided, as in production.
  bench:
    password_env: BENCH_PASSWORD
    allow:
      - tables: [public.pgbench_accounts, public.pgbench_branches, public.pgbench_tellers]
        actions: [select, update]
      - tables: [public.pgbench_history]
        actions: [insert]
  # --storm: retries a statement that always fails (division by zero); the breaker is on.
  storm:
    password_env: STORM_PASSWORD
    allow:
      - tables: [public.pgbench_branches]
        actions: [select]
EOF
"$AIRLOCK_BIN" serve --config "$TMP/airlock.yaml" >"$TMP/airlock.log" 2>&1 &
AIRLOCK_PID=$!
wait_port 127.0.0.1 "$AIRLOCK_PORT" "$AIRLOCK_PID" 30 || { cat "$TMP/airlock.log" >&2; echo "bench: airlock did not start" >&2; exit 1; }

# --- pgbouncer (session pooling, SCRAM to clients and to PostgreSQL)
printf '"bench" "%s"\n' "$BENCH_PW" >"$TMP/userlist.txt"
cat >"$TMP/pgbouncer.ini" <<EOF
[databases]
bench = host=127.0.0.1 port=$PG_PORT dbname=bench
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGB_PORT
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $TMP/userlist.txt
pool_mode = session
max_client_conn = 2000
default_pool_size = 1100
max_db_connections = 0
logfile = $TMP/pgbouncer.log
pidfile = $TMP/pgbouncer.pid
ignore_startup_parameters = extra_float_digits
EOF
[[ ${#RUNAS[@]} -gt 0 ]] && chown postgres: "$TMP/userlist.txt" "$TMP/pgbouncer.ini" && chmod 600 "$TMP/userlist.txt"
# runuser applies the postgres user's PAM limits (often 1024 descriptors): too few for 1000
# clients plus 1000 server connections, so raise the soft limit to the hard one first.
"${RUNAS[@]}" sh -c 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"' "$PGBOUNCER" -q "$TMP/pgbouncer.ini" &
sleep 0.2
for _ in $(seq 50); do [[ -s "$TMP/pgbouncer.pid" ]] && break; sleep 0.1; done
PGB_PID=$(cat "$TMP/pgbouncer.pid" 2>/dev/null || true)
wait_port 127.0.0.1 "$PGB_PORT" "$PGB_PID" 30 || { cat "$TMP/pgbouncer.log" >&2; echo "bench: pgbouncer did not start" >&2; exit 1; }

target_port() { case "$1" in direct) echo "$PG_PORT" ;; airlock) echo "$AIRLOCK_PORT" ;; pgbouncer) echo "$PGB_PORT" ;; esac; }
target_pid() { case "$1" in airlock) echo "$AIRLOCK_PID" ;; pgbouncer) echo "$PGB_PID" ;; *) echo "" ;; esac; }

# Sanity: every target answers as the bench agent.
for t in $TARGETS; do
  PGPASSWORD=$BENCH_PW psql -X -At -h 127.0.0.1 -p "$(target_port "$t")" -U bench -d bench \
    -c "select count(*) from pgbench_branches" >/dev/null \
    || { echo "bench: $t does not answer" >&2; exit 1; }
done

# --------------------------------------------------------------------------- pgbench runs
run_pgbench() {  # target workload mode clients round -> appends a line to $RESULTS
  local t=$1 w=$2 m=$3 c=$4 r=$5 j port pid log args=() cpu0=0 cpu1=0
  port=$(target_port "$t"); pid=$(target_pid "$t")
  j=$(( c < 2 ? 1 : 2 ))
  [[ "$w" == select ]] && args+=(-S)
  if [[ "$w" == tpcb ]]; then  # what pgbench's own vacuum step would do, outside the timed run
    su_psql -d bench -c "TRUNCATE pgbench_history" -c "VACUUM pgbench_branches" -c "VACUUM pgbench_tellers" >/dev/null
  fi
  log=$RAW_DIR/$w-$m-c$c-$t-r$r.log
  [[ -n "$pid" ]] && cpu0=$(proc_cpu_ticks "$pid")
  if ! PGPASSWORD=$BENCH_PW pgbench -n "${args[@]}" -M "$m" -c "$c" -j "$j" -T "$SECONDS_PER_RUN" \
        -h 127.0.0.1 -p "$port" -U bench bench >"$log" 2>&1; then
    echo "   $t $w $m c=$c: pgbench FAILED (see build/bench/raw/$(basename "$log"))" >&2
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$w" "$m" "$c" "$t" "$r" "nan" "nan" "0" "$(loadavg)" >>"$RESULTS"
    return 0
  fi
  [[ -n "$pid" ]] && cpu1=$(proc_cpu_ticks "$pid")
  local tps lat txn
  tps=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time).*/\1/p' "$log")
  lat=$(sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p' "$log")
  txn=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$log")
  local cpu_us_per_txn="nan"
  if [[ -n "$pid" && -n "$txn" && "$txn" -gt 0 ]]; then
    cpu_us_per_txn=$(awk -v d=$((cpu1 - cpu0)) -v hz="$(getconf CLK_TCK)" -v n="$txn" 'BEGIN{printf "%.1f", d*1e6/hz/n}')
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$w" "$m" "$c" "$t" "$r" "${tps:-nan}" "${lat:-nan}" "$cpu_us_per_txn" "$(loadavg)" >>"$RESULTS"
  printf '   %-9s %-6s %-8s c=%-3s r%s  tps %10s  lat %8s ms  proxy cpu %6s us/txn\n' "$t" "$w" "$m" "$c" "$r" "${tps:-?}" "${lat:-?}" "$cpu_us_per_txn"
}

if [[ "$DO_BENCH" == 1 ]]; then
  mkdir -p "$RAW_DIR"; rm -f "$RAW_DIR"/*.log
  RESULTS=$TMP/results.tsv; : >"$RESULTS"
  LOAD_START=$(loadavg)
  for w in $WORKLOADS; do
    for m in $MODES; do
      for c in $CLIENTS; do
        for ((r = 1; r <= ROUNDS; r++)); do
          for t in $TARGETS; do run_pgbench "$t" "$w" "$m" "$c" "$r"; done
        done
      done
    done
  done
  LOAD_END=$(loadavg)
  META=$(printf '{"nproc": %s, "cpu_model": "%s", "seconds_per_run": %s, "rounds": %s, "scale": %s, "load_avg_start": "%s", "load_avg_end": "%s", "airlock_threads": 0, "date": "%s"}' \
    "$(nproc)" "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1 | sed 's/"/\\"/g')" \
    "$SECONDS_PER_RUN" "$ROUNDS" "$SCALE" "$LOAD_START" "$LOAD_END" "$(date -u +%Y-%m-%dT%H:%M:%SZ)")
  "$PY" "$REPO/bench/report.py" "$RESULTS" "$OUT_DIR/results.json" "$META"
fi

# --------------------------------------------------------------------------- idle memory
if [[ "$DO_IDLE" == 1 ]]; then
  echo
  echo "== idle connections: $IDLE_CONNS through each proxy (load average $(loadavg))"
  "$PY" "$REPO/bench/idle_memory.py" --connections "$IDLE_CONNS" --password-env BENCH_PASSWORD \
    --target "airlock:127.0.0.1:$AIRLOCK_PORT:$AIRLOCK_PID" \
    --target "pgbouncer:127.0.0.1:$PGB_PORT:$PGB_PID" \
    --json "$OUT_DIR/idle_memory.json" || echo "bench: idle-connection section reported failures" >&2
fi

# --------------------------------------------------------------------------- profile
if [[ "$DO_PROFILE" == 1 ]]; then
  PROFILE_SECONDS=${BENCH_PROFILE_SECONDS:-10}
  PROFILE_MODE=${PROFILE_MODE:-prepared}
  echo "== profile: -S -M $PROFILE_MODE -c 8 through Airlock, ${PROFILE_SECONDS}s (load average $(loadavg))"
  mkdir -p "$OUT_DIR/profile"
  PGPASSWORD=$BENCH_PW pgbench -n -S -M "$PROFILE_MODE" -c 8 -j 2 -T $((PROFILE_SECONDS + 10)) -P 1 --progress-timestamp \
    -h 127.0.0.1 -p "$AIRLOCK_PORT" -U bench bench >"$OUT_DIR/profile/pgbench.log" 2>&1 &
  PGBENCH_PID=$!
  sleep 2
  # CPU split: ticks of airlock, of the postgres backends serving it, and of pgbench, over the window.
  pg_pids() { pgrep -u postgres -f "postgres: airlock bench" | tr '\n' ' '; }
  sum_ticks() { local s=0 p; for p in "$@"; do s=$((s + $(proc_cpu_ticks "$p"))); done; echo $s; }
  BACKENDS=$(pg_pids)
  a0=$(proc_cpu_ticks "$AIRLOCK_PID"); b0=$(sum_ticks $BACKENDS); p0=$(proc_cpu_ticks "$PGBENCH_PID")
  read -r _ u0 n0 s0 i0 w0 q0 sq0 _ </proc/stat
  t0=$(date +%s.%N)
  if command -v perf >/dev/null && perf stat -e task-clock true >/dev/null 2>&1; then
    perf stat -e task-clock,context-switches,cpu-migrations,page-faults -p "$AIRLOCK_PID" \
      -o "$OUT_DIR/profile/perf-stat.txt" -- sleep "$PROFILE_SECONDS" &
    PERF_STAT_PID=$!
    perf record -e cpu-clock -F 999 -p "$AIRLOCK_PID" -o "$OUT_DIR/profile/perf.data" -- sleep "$PROFILE_SECONDS" \
      >/dev/null 2>&1 || true
    wait "$PERF_STAT_PID" || true
  else
    sleep "$PROFILE_SECONDS"
  fi
  a1=$(proc_cpu_ticks "$AIRLOCK_PID"); b1=$(sum_ticks $BACKENDS); p1=$(proc_cpu_ticks "$PGBENCH_PID")
  read -r _ u1 n1 s1 i1 w1 q1 sq1 _ </proc/stat
  t1=$(date +%s.%N)
  # syscalls per transaction: strace for a few seconds (separate window: strace slows airlock down)
  s_t0=$(date +%s.%N)
  timeout -s INT 5 strace -c -f -p "$AIRLOCK_PID" -o "$OUT_DIR/profile/strace-c.txt" >/dev/null 2>&1 || true
  s_t1=$(date +%s.%N)
  wait "$PGBENCH_PID" || true
  # transactions inside the strace window, from pgbench's per-second progress lines
  STRACE_TXN=$(awk -v a="$s_t0" -v b="$s_t1" '/^progress: [0-9.]+ s,/ { ts = $2; tps = $4;
      if (ts > a + 0.5 && ts <= b + 0.5) n += tps } END { printf "%d", n }' "$OUT_DIR/profile/pgbench.log")
  HZ=$(getconf CLK_TCK)
  awk -v a=$((a1 - a0)) -v b=$((b1 - b0)) -v p=$((p1 - p0)) -v hz="$HZ" -v t0="$t0" -v t1="$t1" \
      -v busy=$(( (u1 + n1 + s1 + q1 + sq1) - (u0 + n0 + s0 + q0 + sq0) )) -v idle=$(( (i1 + w1) - (i0 + w0) )) 'BEGIN {
    el = t1 - t0; tot = busy + idle
    printf "window %.1fs; CPU (of %d cores): airlock %.2f cores, postgres backends %.2f, pgbench %.2f; machine busy %.0f%%\n",
      el, 2, a/hz/el, b/hz/el, p/hz/el, 100*busy/tot }' | tee "$OUT_DIR/profile/cpu-split.txt"
  sed -n 's/^tps = \([0-9.]*\) (without.*/pgbench (whole run, incl. profiler windows): tps = \1/p' "$OUT_DIR/profile/pgbench.log"
  [[ -f "$OUT_DIR/profile/perf-stat.txt" ]] && cat "$OUT_DIR/profile/perf-stat.txt"
  if [[ -f "$OUT_DIR/profile/perf.data" ]]; then
    perf report -i "$OUT_DIR/profile/perf.data" --no-children --sort dso,sym --stdio 2>/dev/null \
      | grep -v '^#' | grep -v '^$' | grep '%' | head -40 >"$OUT_DIR/profile/perf-top.txt" || true
    echo "-- perf top symbols (self time) in build/bench/profile/perf-top.txt"; head -25 "$OUT_DIR/profile/perf-top.txt"
  fi
  echo "-- strace -c (5 s) in build/bench/profile/strace-c.txt; ~$STRACE_TXN transactions in that window (pgbench -P 1)"
  if [[ -s "$OUT_DIR/profile/strace-c.txt" && "$STRACE_TXN" -gt 0 ]]; then
    awk -v n="$STRACE_TXN" '$1 ~ /^[0-9.]+$/ && NF >= 5 { name = $NF; calls = $4; errs = (NF == 6 ? $5 : 0);
        printf "   %-16s %9d calls %8d errors  %6.2f per txn\n", name, calls, errs, calls / n }' \
      "$OUT_DIR/profile/strace-c.txt" | tee "$OUT_DIR/profile/syscalls-per-txn.txt"
    echo "   (the pgbench -P window is approximate; a -S transaction is exactly one relay in each"
    echo "    direction, so sendto/2 is the exact transaction count: divide by that for exact ratios)"
  fi
fi

# --------------------------------------------------------------------------- storm isolation
if [[ "$DO_STORM" == 1 ]]; then
  STORM_SECONDS=${BENCH_SECONDS:-10}
  echo "== storm isolation: agent bench runs pgbench -S -M prepared -c 8 (${STORM_SECONDS}s) through Airlock"
  storm_run() {  # label -> prints tps
    PGPASSWORD=$BENCH_PW pgbench -n -S -M prepared -c 8 -j 2 -T "$STORM_SECONDS" \
      -h 127.0.0.1 -p "$AIRLOCK_PORT" -U bench bench 2>&1 | sed -n 's/^tps = \([0-9.]*\) (without.*/\1/p'
  }
  declare -a BASE STORM
  for r in 1 2; do
    BASE+=("$(storm_run)")
    # 8 connections retrying the failing statement as fast as the gateway answers
    "$PY" - "$AIRLOCK_PORT" "$STORM_PW" "$((STORM_SECONDS + 3))" >"$TMP/storm-$r.txt" 2>&1 <<'PYEOF' &
import sys, threading, time
import psycopg
port, pw, secs = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
counts = {"refused": 0, "failed": 0}
lock = threading.Lock()
def storm():
    with psycopg.connect(host="127.0.0.1", port=port, user="storm", password=pw, dbname="bench",
                         autocommit=True) as c:
        end = time.monotonic() + secs
        while time.monotonic() < end:
            try:
                c.execute("SELECT bid / 0 FROM pgbench_branches LIMIT 1", prepare=False)
            except psycopg.Error as e:
                with lock:
                    counts["refused" if e.sqlstate == "53400" else "failed"] += 1
ts = [threading.Thread(target=storm) for _ in range(8)]
[t.start() for t in ts]; [t.join() for t in ts]
print(f"storm attempts: {counts['failed']} reached PostgreSQL, {counts['refused']} refused by the breaker")
PYEOF
    STORM_PY=$!
    sleep 1
    STORM+=("$(storm_run)")
    wait "$STORM_PY" || true
    echo "   round $r: without storm ${BASE[-1]} tps, with storm ${STORM[-1]} tps; $(cat "$TMP/storm-$r.txt")"
  done
  "$PY" - "${BASE[@]}" -- "${STORM[@]}" <<'PYEOF' | tee "$OUT_DIR/storm.txt"
import statistics, sys
args = sys.argv[1:]; i = args.index("--")
base = [float(x) for x in args[:i] if x]; storm = [float(x) for x in args[i + 1:] if x]
b, s = statistics.median(base), statistics.median(storm)
print(f"storm isolation: median tps without storm {b:.0f}, with storm {s:.0f}: {100 * (s / b - 1):+.1f}% (goal: within -10%)")
PYEOF
fi
