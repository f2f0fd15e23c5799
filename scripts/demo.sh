#!/usr/bin/env bash
# Airlock demo: a throwaway PostgreSQL 15 with a sample SaaS database, Airlock in front of it,
# and scripted agents (psycopg 3, node-postgres, and an MCP agent on the official MCP client)
# replaying real agent incidents through it.
#
#   bash scripts/demo.sh         start (stops a running demo first), replay   == make demo
#   bash scripts/demo.sh stop    stop the gateway and PostgreSQL, remove .demo/   == make demo-stop
#   DEMO_QUICK=1 bash scripts/demo.sh   (or --quick) for CI: start and replay only, exit 1 when
#                                any verdict differs from the expected one; leaves it running
#
# Everything lives in .demo/ at the repo root (gitignored): the cluster, airlock.yaml, env
# (passwords), logs and pid files. Only processes recorded there are ever stopped.
# AIRLOCK_BIN overrides the gateway binary (default build/release/src/app/airlock);
# DEMO_DIR overrides .demo/ (the test suite runs its own demo next to a user's).
# The agents' policies are examples/policies/*.yaml; the replay is scripts/demo/replay.py.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEMO="${DEMO_DIR:-$ROOT/.demo}"
case "$DEMO" in /*) ;; *) DEMO="$PWD/$DEMO" ;; esac
SHOWN_DEMO=.demo  # how messages name it
[ "$DEMO" = "$ROOT/.demo" ] || SHOWN_DEMO="$DEMO"
DB=saas
QUICK="${DEMO_QUICK:-0}"
[ "$QUICK" = 0 ] && QUICK=''
# One agent per policy file, in a fixed order.
AGENTS=()
for f in "$ROOT"/examples/policies/*.yaml; do AGENTS+=("$(basename "$f" .yaml)"); done

# ---------------------------------------------------------------- output
if [ -t 1 ]; then
  B=$'\e[1m' DIM=$'\e[2m' RED=$'\e[31m' GRN=$'\e[32m' YEL=$'\e[33m' CYN=$'\e[36m' R=$'\e[0m'
else
  B='' DIM='' RED='' GRN='' YEL='' CYN='' R=''
fi
step() { printf '\n%s==> %s%s\n' "$B$CYN" "$*" "$R"; }
ok()   { printf '  %s✓%s %s\n' "$GRN" "$R" "$*"; }
info() { printf '  %s\n' "$*"; }
warn() { printf '  %s!%s %s\n' "$YEL" "$R" "$*"; }
die()  { printf '%sdemo: %s%s\n' "$RED" "$*" "$R" >&2; exit 1; }
show() { printf '  %s$ %s%s\n' "$DIM" "$*" "$R"; }  # a command, as the reader would type it

# ---------------------------------------------------------------- helpers
pg_bindir() {
  if [ -x /usr/lib/postgresql/15/bin/initdb ]; then echo /usr/lib/postgresql/15/bin; return; fi
  local d; d="$(pg_config --bindir 2>/dev/null || true)"
  [ -n "$d" ] && [ -x "$d/initdb" ] && { echo "$d"; return; }
  die "PostgreSQL 15 server binaries not found (run scripts/install-deps.sh)"
}

# PostgreSQL refuses to run as root: use the postgres OS user then.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

rand_secret() { od -An -N12 -tx1 /dev/urandom | tr -d ' \n'; }

# psql as the cluster's superuser over the private unix socket
su_psql() { psql -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$PG_PORT" -U postgres "$@"; }

# The pid in FILE, if that process is alive and its command line mentions WHAT.
recorded_pid() {
  local file="$1" what="$2" pid
  [ -f "$file" ] || return 1
  pid="$(head -n1 "$file" | tr -dc '0-9')"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$what" || return 1
  echo "$pid"
}

stop_demo() {
  [ -d "$DEMO" ] || return 0
  local pid i
  if pid="$(recorded_pid "$DEMO/airlock.pid" "$DEMO/airlock.yaml")"; then
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    ok "gateway stopped (pid $pid)"
  fi
  if [ -f "$DEMO/pg/data/postmaster.pid" ]; then
    as_pg "$(pg_bindir)/pg_ctl" -D "$DEMO/pg/data" -m fast -w -t 30 stop >/dev/null 2>&1 || true
    ok "PostgreSQL stopped"
  fi
  local sock; sock="$(cat "$DEMO/sockdir" 2>/dev/null || true)"
  case "$sock" in /tmp/airlock-demo-sock.*) rm -rf "$sock" ;; esac
  rm -rf "$DEMO"
  ok "removed $SHOWN_DEMO/"
}

if [ "${1:-}" = stop ]; then
  step "Stopping the Airlock demo"
  if [ -d "$DEMO" ]; then stop_demo; else info "no demo running ($SHOWN_DEMO/ does not exist)"; fi
  exit 0
fi
if [ "${1:-}" = --quick ]; then QUICK=1; shift; fi
[ $# -eq 0 ] || die "usage: bash scripts/demo.sh [stop | --quick]"

# ---------------------------------------------------------------- start
T0=$(date +%s)
AIRLOCK_BIN="${AIRLOCK_BIN:-build/release/src/app/airlock}"
case "$AIRLOCK_BIN" in /*) ;; *) AIRLOCK_BIN="$ROOT/$AIRLOCK_BIN" ;; esac
[ -x "$AIRLOCK_BIN" ] || die "gateway binary $AIRLOCK_BIN not found: run 'make build' (or 'make demo')"
command -v psql >/dev/null || die "psql not found (run scripts/install-deps.sh)"
BIN="$(pg_bindir)"

printf '%sAirlock demo%s  %s(a sample SaaS database behind the gateway)%s\n' "$B" "$R" "$DIM" "$R"

if [ -d "$DEMO" ]; then
  step "Stopping the previous demo"
  stop_demo
fi

step "Starting a throwaway PostgreSQL 15"
mkdir -p "$DEMO/pg"
chmod 700 "$DEMO"
PG_PORT="$(free_port)"
# unix socket path must fit in 107 bytes; a deep checkout gets a private dir under /tmp
PG_SOCK="$DEMO/pg"
if [ $(( ${#PG_SOCK} + 20 )) -gt 100 ]; then PG_SOCK="$(mktemp -d /tmp/airlock-demo-sock.XXXXXX)"; fi
echo "$PG_SOCK" >"$DEMO/sockdir"
if [ "$(id -u)" = 0 ]; then
  chown -R postgres:postgres "$DEMO/pg" "$PG_SOCK"
  chmod 711 "$DEMO"  # postgres must reach .demo/pg; nothing else in .demo/ is readable
fi
as_pg "$BIN/initdb" -D "$DEMO/pg/data" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$DEMO/initdb.log" 2>&1 \
  || { cat "$DEMO/initdb.log" >&2; die "initdb failed"; }
cat >>"$DEMO/pg/data/postgresql.conf" <<EOF
# --- airlock demo
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_SOCK'
password_encryption = 'scram-sha-256'
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
cat >"$DEMO/pg/data/pg_hba.conf" <<EOF
# superuser only over the private unix socket; everyone else by password over TCP
local   all   postgres                 trust
host    all   airlock    127.0.0.1/32  scram-sha-256
host    all   all        0.0.0.0/0     reject
EOF
as_pg "$BIN/pg_ctl" -D "$DEMO/pg/data" -l "$DEMO/pg/postgres.log" -w -t 60 start >/dev/null \
  || { tail -20 "$DEMO/pg/postgres.log" >&2; die "PostgreSQL did not start"; }
ok "PostgreSQL 15 on 127.0.0.1:$PG_PORT (data in $SHOWN_DEMO/pg/)"

step "Loading the sample SaaS database '$DB'"
UPSTREAM_PW="$(rand_secret)"
su_psql -d postgres <<EOF
CREATE ROLE app_owner NOLOGIN;
CREATE ROLE airlock LOGIN PASSWORD '$UPSTREAM_PW' NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
CREATE DATABASE $DB OWNER app_owner;
REVOKE ALL ON DATABASE $DB FROM PUBLIC;
REVOKE CONNECT ON DATABASE postgres FROM PUBLIC;
GRANT CONNECT ON DATABASE $DB TO airlock;
EOF
L0=$(date +%s)
{
  echo "SET ROLE app_owner;"
  cat "$ROOT/examples/demo/schema.sql" "$ROOT/examples/demo/data.sql"
} | su_psql -d "$DB" >/dev/null
ok "schema and data loaded in $(( $(date +%s) - L0 )) s (examples/demo/schema.sql, data.sql)"
su_psql -d "$DB" -At -F ' ' -c "
  SELECT format('%-16s %8s rows', t, n) FROM (VALUES
    ('accounts', (SELECT count(*) FROM accounts)),
    ('customers', (SELECT count(*) FROM customers)),
    ('subscriptions', (SELECT count(*) FROM subscriptions)),
    ('  past_due', (SELECT count(*) FROM subscriptions WHERE status = 'past_due')),
    ('invoices', (SELECT count(*) FROM invoices)),
    ('tickets', (SELECT count(*) FROM tickets)),
    ('ticket_comments', (SELECT count(*) FROM ticket_comments))) v(t, n)" | sed 's/^/    /'
ok "upstream role 'airlock': SELECT/INSERT/UPDATE/DELETE on those tables only (no DDL, no TRUNCATE)"

step "Configuring and starting Airlock"
GW_PORT="$(free_port)"
MCP_PORT="$(free_port)"
{
  echo "# Airlock demo secrets: source this file to use them."
  echo "export AIRLOCK_UPSTREAM_PASSWORD=$UPSTREAM_PW"
  for a in "${AGENTS[@]}"; do
    var="$(echo "$a" | tr 'a-z-' 'A-Z_')_PASSWORD"
    echo "export $var=$(rand_secret)"
  done
} >"$DEMO/env"
chmod 600 "$DEMO/env"
cat >"$DEMO/airlock.yaml" <<EOF
# Written by scripts/demo.sh from examples/policies/*.yaml. Passwords are in env, next to
# this file (the *_env keys name them).
listen: 127.0.0.1:$GW_PORT
upstream:
  host: 127.0.0.1
  port: $PG_PORT
  database: $DB
  user: airlock
  password_env: AIRLOCK_UPSTREAM_PASSWORD
  sslmode: disable                 # local throwaway cluster without TLS
timeouts: {connect: 5s, auth: 10s, client_idle: 30m, shutdown_grace: 5s}
log: {level: info}
state: {path: $DEMO/state.db}
audit: {dir: $DEMO/audit}
approvals: {hold_wait: 20s, expire_after: 1h}
# The MCP front door (docs/mcp.md): Streamable HTTP at http://127.0.0.1:$MCP_PORT/mcp, an agent's
# password as its bearer secret. Every tool call goes through the same gate as the wire.
mcp: {listen: 127.0.0.1:$MCP_PORT}

agents:
EOF
# examples/policies/<agent>.yaml is one entry of the agents: mapping; indent it under agents:.
for a in "${AGENTS[@]}"; do
  printf '\n  # --- examples/policies/%s.yaml\n' "$a"
  sed -e 's/^\(.\)/  \1/' "$ROOT/examples/policies/$a.yaml"
done >>"$DEMO/airlock.yaml"
# shellcheck disable=SC1091
set -a; . "$DEMO/env"; set +a
"$AIRLOCK_BIN" check-config --config "$DEMO/airlock.yaml" >/dev/null || die "the assembled $DEMO/airlock.yaml is invalid"
# setsid: its own session, so closing the terminal sends no SIGHUP (which would mean reload).
setsid "$AIRLOCK_BIN" serve --config "$DEMO/airlock.yaml" >"$DEMO/airlock.log" 2>&1 </dev/null &
GW_PID=$!
echo "$GW_PID" >"$DEMO/airlock.pid"
for _ in $(seq 1 100); do
  kill -0 "$GW_PID" 2>/dev/null || { cat "$DEMO/airlock.log" >&2; die "airlock exited at start"; }
  (exec 3<>"/dev/tcp/127.0.0.1/$GW_PORT") 2>/dev/null && break
  sleep 0.1
done
(exec 3<>"/dev/tcp/127.0.0.1/$GW_PORT") 2>/dev/null || { cat "$DEMO/airlock.log" >&2; die "airlock is not listening"; }
for _ in $(seq 1 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$MCP_PORT") 2>/dev/null && break
  sleep 0.1
done
(exec 3<>"/dev/tcp/127.0.0.1/$MCP_PORT") 2>/dev/null || { cat "$DEMO/airlock.log" >&2; die "airlock's MCP server is not listening"; }
ok "Airlock on 127.0.0.1:$GW_PORT (pid $GW_PID, log $SHOWN_DEMO/airlock.log, config $SHOWN_DEMO/airlock.yaml)"
ok "MCP server on http://127.0.0.1:$MCP_PORT/mcp (Streamable HTTP; bearer = the agent's password)"
info "agents: ${AGENTS[*]}"

# ---------------------------------------------------------------- a short session
agent_psql() {  # agent_psql AGENT psql-args...: through the gateway, as that agent
  local agent="$1"; shift
  local var; var="$(echo "$agent" | tr 'a-z-' 'A-Z_')_PASSWORD"
  PGPASSWORD="${!var}" PGCONNECT_TIMEOUT=10 LC_ALL=C.UTF-8 \
    psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$GW_PORT" -U "$agent" -d "$DB" "$@"
}

if [ -z "$QUICK" ]; then
  step "A session through the gateway, as support-bot"
  show "psql -h 127.0.0.1 -p $GW_PORT -U support-bot -d $DB"
  show "SELECT current_user, session_user;"
  who="$(agent_psql support-bot -At -c "SELECT current_user || ' / ' || session_user")"
  info "$who"
  ok "the agent logged in as 'support-bot' with its own password; PostgreSQL sees only Airlock's"
  info "  role 'airlock', whose password the agent never learns (it stays in Airlock's environment)"

  show "PGPASSWORD=wrong psql -h 127.0.0.1 -p $GW_PORT -U support-bot -d $DB"
  if out="$(PGPASSWORD=wrong PGCONNECT_TIMEOUT=10 psql -X -h 127.0.0.1 -p "$GW_PORT" -U support-bot -d "$DB" -c 'SELECT 1' 2>&1)"; then
    warn "a wrong password was accepted: $out"
  else
    info "$(printf '%s' "$out" | grep -o 'FATAL.*' | head -n1)"
    ok "wrong password refused (SQLSTATE 28P01, same answer as for an unknown agent)"
  fi
fi

# ---------------------------------------------------------------- the incidents, replayed
step "Replaying agent incidents through the gateway"
[ -z "$QUICK" ] && info "${DIM}Scripted agents, each logged in with its own name and password; policies in examples/policies/.${R}"
if ! /usr/bin/python3 -c 'import psycopg' 2>/dev/null; then
  die "Debian's python3-psycopg is missing (run scripts/install-deps.sh)"
fi
if ! command -v node >/dev/null || [ ! -d "$ROOT/tests/js/node_modules/pg" ]; then
  die "node-postgres is missing: run scripts/install-deps.sh (npm ci in tests/js)"
fi
if [ ! -d "$ROOT/tests/mcp/node_modules/@modelcontextprotocol/sdk" ]; then
  die "the MCP client @modelcontextprotocol/sdk is missing: run scripts/install-deps.sh (npm ci in tests/mcp)"
fi
R0=$(date +%s)
REPLAY_RC=0
# Debian's python: psycopg 3 belongs to /usr/bin/python3, not to a pyenv python3 on PATH.
/usr/bin/python3 "$ROOT/scripts/demo/replay.py" ${QUICK:+--quick} --gateway-port "$GW_PORT" --db "$DB" \
  --mcp-url "http://127.0.0.1:$MCP_PORT/mcp" \
  --su-host "$PG_SOCK" --su-port "$PG_PORT" --airlock-bin "$AIRLOCK_BIN" \
  --config "$DEMO/airlock.yaml" --shown-config "$SHOWN_DEMO/airlock.yaml" || REPLAY_RC=$?
[ -n "$QUICK" ] && info "replay took $(( $(date +%s) - R0 )) s"
if [ "$REPLAY_RC" -ne 0 ]; then
  warn "the replay did not go as scripted (exit $REPLAY_RC): see above, and the gateway log $SHOWN_DEMO/airlock.log"
fi

# ---------------------------------------------------------------- how to use it
step "Ready ($(( $(date +%s) - T0 )) s)"
SB_PW="$(grep '^export SUPPORT_BOT_PASSWORD=' "$DEMO/env" | cut -d= -f2)"
info "Connect as an agent (try the statements above by hand):"
printf '    %sPGPASSWORD=%s psql -h 127.0.0.1 -p %s -U support-bot -d %s%s\n' "$B" "$SB_PW" "$GW_PORT" "$DB" "$R"
info "Or over MCP (docs/mcp.md), e.g. with the MCP Inspector: Streamable HTTP, URL http://127.0.0.1:$MCP_PORT/mcp,"
info "  header Authorization: Bearer <an agent's password> (add the Inspector's origin to mcp.allowed_origins)"
info "Other agents' passwords: $SHOWN_DEMO/env   Gateway log: $SHOWN_DEMO/airlock.log   Config: $SHOWN_DEMO/airlock.yaml"
info "Stop everything and remove $SHOWN_DEMO/:"
if [ "$DEMO" = "$ROOT/.demo" ]; then
  printf '    %smake demo-stop%s\n' "$B" "$R"
else
  printf '    %sDEMO_DIR=%s bash scripts/demo.sh stop%s\n' "$B" "$DEMO" "$R"
fi
# Quick mode (CI) fails on any unexpected verdict; an interactive demo stays usable and says so above.
if [ -n "$QUICK" ]; then exit "$REPLAY_RC"; fi
