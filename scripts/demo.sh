#!/usr/bin/env bash
# Airlock demo: a throwaway PostgreSQL 15 with a sample SaaS database, Airlock in front of it,
# and a short psql session through the gateway.
#
#   bash scripts/demo.sh         start (stops a running demo first)   == make demo
#   bash scripts/demo.sh stop    stop the gateway and PostgreSQL, remove .demo/   == make demo-stop
#
# Everything lives in .demo/ at the repo root (gitignored): the cluster, airlock.yaml, env
# (passwords), logs and pid files. Only processes recorded there are ever stopped.
# AIRLOCK_BIN overrides the gateway binary (default build/release/src/app/airlock).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEMO="$ROOT/.demo"
DB=saas
AGENTS=(support-bot cleanup-bot onboarding-bot billing-bot)

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
  ok "removed .demo/"
}

if [ "${1:-}" = stop ]; then
  step "Stopping the Airlock demo"
  if [ -d "$DEMO" ]; then stop_demo; else info "no demo running (.demo/ does not exist)"; fi
  exit 0
fi
[ $# -eq 0 ] || die "usage: bash scripts/demo.sh [stop]"

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
ok "PostgreSQL 15 on 127.0.0.1:$PG_PORT (data in .demo/pg/)"

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
# Written by scripts/demo.sh. Passwords are in .demo/env (the *_env keys name them).
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

agents:
  support-bot:                     # answers tickets
    password_env: SUPPORT_BOT_PASSWORD
    allow:
      - tables: [public.tickets, public.ticket_comments, public.subscriptions]
        actions: [select]
      - tables: [public.customers]
        actions: [select]
        mask: [email, phone]
        deny_columns: [ssn]
      - tables: [public.tickets]
        actions: [update]
        columns: [status, assignee]
        max_rows: 50
      - tables: [public.ticket_comments]
        actions: [insert]
      - sequences: [public.ticket_comments_id_seq]
  cleanup-bot:                     # tidies stale data
    password_env: CLEANUP_BOT_PASSWORD
    allow:
      - tables: [public.subscriptions, public.invoices]
        actions: [select]
      - tables: [public.subscriptions]
        actions: [delete]
        max_rows: 100
        over_limit: hold
        reason: bulk deletes of customer subscriptions need a human
  onboarding-bot:                  # sets up new accounts
    password_env: ONBOARDING_BOT_PASSWORD
    allow:
      - tables: [public.accounts, public.customers]
        actions: [select, insert]
        deny_columns: [ssn]
      - sequences: [public.accounts_id_seq, public.customers_id_seq]
    hold:
      - tables: [public.customers]
        actions: [update]
        reason: changing an existing customer (e.g. is_admin) needs a human
  billing-bot:                     # chases unpaid invoices
    password_env: BILLING_BOT_PASSWORD
    mode: observe
    allow:
      - tables: [public.invoices, public.subscriptions, public.accounts]
        actions: [select]
EOF
# shellcheck disable=SC1091
set -a; . "$DEMO/env"; set +a
"$AIRLOCK_BIN" check-config --config "$DEMO/airlock.yaml" >/dev/null
nohup "$AIRLOCK_BIN" serve --config "$DEMO/airlock.yaml" >"$DEMO/airlock.log" 2>&1 </dev/null &
GW_PID=$!
echo "$GW_PID" >"$DEMO/airlock.pid"
for _ in $(seq 1 100); do
  kill -0 "$GW_PID" 2>/dev/null || { cat "$DEMO/airlock.log" >&2; die "airlock exited at start"; }
  (exec 3<>"/dev/tcp/127.0.0.1/$GW_PORT") 2>/dev/null && break
  sleep 0.1
done
(exec 3<>"/dev/tcp/127.0.0.1/$GW_PORT") 2>/dev/null || { cat "$DEMO/airlock.log" >&2; die "airlock is not listening"; }
ok "Airlock on 127.0.0.1:$GW_PORT (pid $GW_PID, log .demo/airlock.log, config .demo/airlock.yaml)"
info "agents: ${AGENTS[*]}"

# ---------------------------------------------------------------- a short session
agent_psql() {  # agent_psql AGENT psql-args...: through the gateway, as that agent
  local agent="$1"; shift
  local var; var="$(echo "$agent" | tr 'a-z-' 'A-Z_')_PASSWORD"
  PGPASSWORD="${!var}" PGCONNECT_TIMEOUT=10 LC_ALL=C.UTF-8 \
    psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$GW_PORT" -U "$agent" -d "$DB" "$@"
}

step "A session through the gateway, as support-bot"
show "psql -h 127.0.0.1 -p $GW_PORT -U support-bot -d $DB"
show "SELECT status, count(*) FROM tickets GROUP BY status ORDER BY 2 DESC;"
agent_psql support-bot -c "SELECT status, count(*) FROM tickets GROUP BY status ORDER BY 2 DESC;" | sed 's/^/    /'
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

step "Incidents the policy engine will stop"
INCIDENTS=0
incident() {  # incident AGENT "what it tries" "SQL" "count query" "why"
  [ $((INCIDENTS++)) -eq 0 ] || echo
  printf '  %s%s%s tries: %s\n' "$B" "$1" "$R" "$2"
  printf '    %s%s%s\n' "$DIM" "$3" "$R"
  local n; n="$(agent_psql "$1" -At -c "$4" 2>/dev/null || echo '?')"
  printf '    rows it would touch: %s%s%s; its rules say: %s\n' "$B" "$n" "$R" "$5"
  printf '    %sPolicy enforcement: not yet (lands with the policy engine)%s — not run here\n' "$YEL" "$R"
}
incident cleanup-bot "delete every past_due subscription" \
  "DELETE FROM subscriptions WHERE status = 'past_due';" \
  "SELECT count(*) FROM subscriptions WHERE status = 'past_due'" \
  "delete max_rows 100, over_limit: hold"
incident support-bot "read national ids while answering a ticket" \
  "SELECT full_name, ssn FROM customers WHERE id = 42;" \
  "SELECT count(*) FROM customers WHERE id = 42" \
  "customers.ssn is in deny_columns"
incident onboarding-bot "make every customer of an account an admin" \
  "UPDATE customers SET is_admin = true WHERE account_id = 7;" \
  "SELECT count(*) FROM customers WHERE account_id = 7" \
  "customers updates are held for a human"

# ---------------------------------------------------------------- how to use it
step "Ready ($(( $(date +%s) - T0 )) s)"
SB_PW="$(grep '^export SUPPORT_BOT_PASSWORD=' "$DEMO/env" | cut -d= -f2)"
info "Connect as an agent:"
printf '    %sPGPASSWORD=%s psql -h 127.0.0.1 -p %s -U support-bot -d %s%s\n' "$B" "$SB_PW" "$GW_PORT" "$DB" "$R"
info "Other agents' passwords: .demo/env   Gateway log: .demo/airlock.log"
info "Stop everything and remove .demo/:"
printf '    %smake demo-stop%s\n' "$B" "$R"
