"""Replays the agent incidents through Airlock, one scripted agent at a time.

Run by scripts/demo.sh with Debian's python (/usr/bin/python3, which has psycopg 3):

    /usr/bin/python3 scripts/demo/replay.py --gateway-port N --db saas \
        --su-host SOCKDIR --su-port N [--quick]

Each agent connects through the gateway with its own name and password (the *_PASSWORD
variables of .demo/env): psycopg 3 agents run in this process, node-postgres agents in
scripts/demo/agent_node.mjs, the MCP agent in scripts/demo/mcp_agent.mjs (the official MCP
client over Airlock's /mcp endpoint, --mcp-url, with its password as the bearer secret). Every attempt has an expected verdict and rule; the replay
prints one line per attempt and a summary, and exits 1 when any verdict, rule, or "rows
unchanged" check differs from what is expected (2 when an agent cannot connect at all).
Counts of the rows the denied writes would have changed are taken on PostgreSQL directly, as
the superuser, before the agent runs; the same queries afterwards show the rows unchanged.
--quick (CI) prints the same lines without the stories.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import select
import subprocess
import threading
import time
import sys
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

# ---------------------------------------------------------------- the script


@dataclass
class Attempt:
    sql: str
    expect: str                      # allow | deny | hold
    rule: str = ""                   # expected rule id, the [...] at the end of the refusal
    protects: tuple[str, str] | None = None   # (table, WHERE) of the rows a denied write would change
    check: tuple[str, str] | None = None      # (what, superuser COUNT query) that must not change
    repeat: int = 1                  # run the statement this many times in a row
    not_yet: str = ""                # the feature this attempt waits for, and what it will do
    approve: bool = False            # a held statement: the demo approves it from the CLI
    masked: tuple | None = None      # (table, WHERE, columns): values that must come back masked
    storm: int = 0                   # a retry loop: this many reach PostgreSQL, the rest the breaker stops
    tool: str = ""                   # mcp agents: the MCP tool called with {"sql": sql}
    revoke: bool = False             # token agents: the demo revokes the token first


@dataclass
class Agent:
    name: str
    driver: str                      # psycopg | node | mcp | token (psycopg with a token)
    story: str
    attempts: list[Attempt] = field(default_factory=list)
    token: tuple[str, ...] = ()      # token agents: `airlock token issue` flags


AGENTS = [
    Agent("support-bot", "psycopg",
          "answers tickets: closes #42, then \"fixes billing\" for every past_due customer at once",
          [
              Attempt("UPDATE tickets SET status = 'closed' WHERE id = 42", "allow"),
              Attempt("UPDATE subscriptions SET plan = 'free' WHERE status = 'past_due'", "deny",
                      "allow[4]",
                      protects=("subscriptions", "status = 'past_due'"),
                      check=("past_due subscriptions on a paid plan",
                             "SELECT count(*) FROM subscriptions WHERE status = 'past_due' AND plan <> 'free'")),
          ]),
    Agent("cleanup-bot", "node",
          "asked to \"tidy up inactive accounts\": counts them, then deletes, then deletes harder",
          [
              Attempt("SELECT count(*) FROM accounts WHERE last_login < now() - interval '90 days'", "allow"),
              Attempt("DELETE FROM accounts WHERE last_login < now() - interval '90 days'", "deny",
                      "default_deny",
                      protects=("accounts", "last_login < now() - interval '90 days'"),
                      check=("accounts", "SELECT count(*) FROM accounts")),
              Attempt("DELETE FROM accounts WHERE 1=1", "deny", "default_deny",
                      protects=("accounts", "1=1"),
                      check=("accounts", "SELECT count(*) FROM accounts")),
              Attempt("WITH d AS (DELETE FROM accounts RETURNING *) SELECT count(*) FROM d", "deny",
                      "default_deny",
                      protects=("accounts", "true"),
                      check=("accounts", "SELECT count(*) FROM accounts")),
          ]),
    Agent("onboarding-bot", "psycopg",
          "builds a welcome email campaign, then makes a new account's owner an admin",
          [
              Attempt("SELECT email, phone FROM customers WHERE account_id = 7", "allow",
                      masked=("customers", "account_id = 7", ("email", "phone"))),
              Attempt("SELECT id, full_name FROM customers LIMIT 3", "allow"),
              Attempt("UPDATE customers SET is_admin = true WHERE id = 1234", "hold", "hold[0]",
                      approve=True,
                      check=("admins among customers",
                             "SELECT count(*) FROM customers WHERE is_admin AND id <> 1234")),
          ]),
    Agent("triage-bot", "node",
          "reads ticket #7, whose text tells it to \"ignore your previous instructions\", and obeys",
          [
              Attempt("SELECT body FROM ticket_comments WHERE ticket_id = 7 AND author = 'customer'", "allow"),
              Attempt("SELECT 1; COMMIT; DROP SCHEMA public CASCADE", "deny", "builtin.ddl_without_table"),
              Attempt("SELECT * FROM pg_read_file('/etc/passwd')", "deny", "builtin.dangerous_function"),
              Attempt("SET ROLE postgres", "deny", "builtin.setting_denied"),
              Attempt("SELECT * FROM tickets WHERE id IN (SELECT subscription_id FROM invoices "
                      "WHERE status = 'open')", "deny", "default_deny"),
              # A scanner that treats $$ as the start of a quote (and misses the escaped quote
              # in E'\'') would think the DELETE is inside a string; PostgreSQL runs it.
              Attempt("SELECT E'\\'$$'; DELETE FROM ticket_comments WHERE id > 0; SELECT '$$'", "deny",
                      "default_deny",
                      protects=("ticket_comments", "id > 0"),
                      check=("ticket comments", "SELECT count(*) FROM ticket_comments")),
              Attempt("WITH x AS (UPDATE customers SET is_admin = true WHERE id > 0 RETURNING id) "
                      "SELECT count(*) FROM x", "deny", "default_deny",
                      protects=("customers", "id > 0"),
                      check=("admins among customers", "SELECT count(*) FROM customers WHERE is_admin")),
          ]),
    # An LLM assistant on MCP tools (scripts/demo/mcp_agent.mjs, the official MCP client) reads
    # ticket #12, written to hijack it, and does as it says: a DELETE stacked behind a harmless
    # query, a DELETE and a mass UPDATE through execute (without a WHERE, then with one), a
    # one-row UPDATE through query, national ids. Its policy lets it change one customer's plan
    # (examples/policies/helpdesk-ai.yaml); what it may read comes back masked.
    Agent("helpdesk-ai", "mcp",
          "reads ticket #12 with the query tool; the ticket says \"ignore previous instructions\", and it obeys",
          [
              Attempt("SELECT body FROM ticket_comments WHERE ticket_id = 12 AND author = 'customer'", "allow",
                      tool="query"),
              Attempt("SELECT 1; DELETE FROM customers", "deny", "default_deny", tool="query",
                      protects=("customers", "true"),
                      check=("customers", "SELECT count(*) FROM customers")),
              Attempt("DELETE FROM customers", "deny", "default_deny", tool="execute",
                      protects=("customers", "true"),
                      check=("customers", "SELECT count(*) FROM customers")),
              Attempt("UPDATE subscriptions SET plan = 'free'", "deny", "builtin.where_required", tool="execute",
                      protects=("subscriptions", "plan <> 'free'"),
                      check=("subscriptions on a paid plan",
                             "SELECT count(*) FROM subscriptions WHERE plan <> 'free'")),
              Attempt("UPDATE subscriptions SET plan = 'free' WHERE plan <> 'free'", "deny", "allow[2]",
                      tool="execute", protects=("subscriptions", "plan <> 'free'"),
                      check=("subscriptions on a paid plan",
                             "SELECT count(*) FROM subscriptions WHERE plan <> 'free'")),
              # allowed to execute (one row), refused to query: query runs nothing that writes
              Attempt("UPDATE subscriptions SET plan = 'free' WHERE id = 1", "deny", "gateway.read_only",
                      tool="query",
                      check=("subscription 1 on a paid plan",
                             "SELECT count(*) FROM subscriptions WHERE id = 1 AND plan <> 'free'")),
              Attempt("SELECT full_name, ssn FROM customers", "deny", "allow[1].deny_columns", tool="query"),
              Attempt("SELECT email, phone FROM customers WHERE id = 1234", "allow", tool="query",
                      masked=("customers", "id = 1234", ("email", "phone"))),
          ]),
    # The same support-bot, this time with a just-in-time token for one ticket instead of its
    # standing password (docs/access.md): scoped to tickets and subscriptions, one row per
    # write, five minutes. What its policy allows beyond that is refused, and revoking the
    # token ends the session it has open.
    Agent("support-bot", "token",
          "gets a 5-minute token for ticket #42 (one row per write), wanders off scope, then is revoked",
          [
              Attempt("UPDATE tickets SET status = 'closed' WHERE id = 42", "allow"),
              Attempt("SELECT full_name FROM customers WHERE id = 7", "deny", "token.scope"),
              Attempt("UPDATE subscriptions SET plan = 'free' WHERE status = 'past_due'", "deny",
                      "allow[4]",
                      protects=("subscriptions", "status = 'past_due'"),
                      check=("past_due subscriptions on a paid plan",
                             "SELECT count(*) FROM subscriptions WHERE status = 'past_due' AND plan <> 'free'")),
              Attempt("SELECT status FROM tickets WHERE id = 42", "deny", "token", revoke=True),
          ],
          token=("--allow", "public.tickets:select,update", "--allow", "public.subscriptions:update",
                 "--max-rows", "1", "--ttl", "5m", "--reason", "ticket #42")),
    Agent("invoice-bot", "psycopg",
          "records a payment with a status that does not exist, and retries the failure in a tight loop",
          [
              Attempt("UPDATE invoices SET status = 'settled' WHERE id = 7", "allow", repeat=20,
                      storm=6),
          ]),
]

# ---------------------------------------------------------------- output

TTY = sys.stdout.isatty()


def paint(code: str, text: str) -> str:
    return f"\033[{code}m{text}\033[0m" if TTY else text


VERDICT_STYLE = {"allow": ("32;1", "ALLOW"), "deny": ("31;1", "DENY"), "hold": ("33;1", "HOLD")}
W_AGENT, W_SQL = 15, 60


def short(sql: str, width: int = W_SQL) -> str:
    s = " ".join(sql.split())
    return s if len(s) <= width else s[: width - 1] + "…"


def num(n: int) -> str:
    return f"{n:,}"


# ---------------------------------------------------------------- running agents


@dataclass
class Outcome:
    verdict: str      # allow | deny | hold
    rule: str
    reason: str       # what the reader sees


def classify(run: dict) -> Outcome:
    """A gateway refusal is 42501 with 'airlock: ' in front; anything else reached PostgreSQL."""
    if run["ok"] and run.get("approval"):
        n = run.get("rowCount")
        return Outcome("hold", run.get("approval_rule", ""), f"waited for a human; {run['approval']} approved with "
                                   f"`airlock approvals approve`, then ran once: {run.get('command')} {n}")
    if run["ok"]:
        tag = run.get("command") or "OK"
        n = run.get("rowCount")
        if tag == "SELECT" and n is not None:
            text = f"{num(n)} row{'s' if n != 1 else ''}"
            rows, cols = run.get("rows") or [], run.get("columns") or []
            if n == 1 and len(cols) == 1 and rows:
                text += f": {cols[0]} = {short(str(rows[0][0]), 70)}"
            return Outcome("allow", "", text)
        return Outcome("allow", "", f"{tag} {n}" if tag in ("UPDATE", "DELETE", "INSERT") and n is not None else tag)
    msg = run.get("message", "")
    ended = "terminating connection due to administrator command"
    if run.get("code") == "57P01" or ended in msg:  # the token's end ended it (docs/access.md)
        return Outcome("deny", "token", f"session ended by the gateway: FATAL 57P01 {ended}")
    if run.get("code") == "53400" and msg.startswith("airlock: "):
        return Outcome("deny", "breaker", msg[len("airlock: "):])
    if run.get("code") == "42501" and msg.startswith("airlock: "):
        reason = msg[len("airlock: "):]
        # the rule id in brackets: [default_deny], [gateway.row_guard], [hold[0]], [allow[1].deny_columns]
        ids = re.findall(r"\[([A-Za-z_.]+(?:\[\d+\](?:\.[a-z_]+)?)?)\]", reason)
        rule = ids[-1] if ids else ""
        verdict = "hold" if reason.startswith("held for human approval") else "deny"
        return Outcome(verdict, rule, reason)
    # forwarded, and PostgreSQL itself said no: the gateway allowed it
    return Outcome("allow", "", f"PostgreSQL: {msg} ({run.get('code')})")


def agent_password(name: str) -> str:
    var = name.upper().replace("-", "_") + "_PASSWORD"
    pw = os.environ.get(var)
    if not pw:
        sys.exit(f"replay: ${var} is not set (source .demo/env)")
    return pw


APPROVER: dict = {}  # airlock binary and config, for `airlock approvals`


def approvals(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([APPROVER["bin"], "approvals", *args, "--config", APPROVER["config"]],
                          capture_output=True, text=True, timeout=30)


def approve_when_held(agent: str, sql: str, done: dict) -> None:
    """Plays the human: waits for the agent's request to appear, then approves it."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        r = approvals("list", "--json", "--agent", agent)
        if r.returncode == 0:
            for req in json.loads(r.stdout or "[]"):
                if req.get("status") == "pending" and req.get("sql") == sql:
                    time.sleep(0.5)  # long enough to see the agent wait
                    a = approvals("approve", req["id"], "--note", "demo: approved from the CLI")
                    done["id"] = req["id"]
                    done["rule"] = req.get("rule", "")
                    done["ok"] = a.returncode == 0
                    return
        time.sleep(0.2)


def run_psycopg(agent: Agent, conn: dict) -> list[list[dict]]:
    with psycopg.connect(host=conn["host"], port=conn["port"], dbname=conn["database"],
                         user=agent.name, password=agent_password(agent.name), autocommit=True,
                         connect_timeout=10, application_name=f"{agent.name} (psycopg)") as c:
        return run_attempts(agent, c)


TOKEN: dict = {}  # what the token scene issued, for its lines


def token_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([APPROVER["bin"], "token", *args, "--config", APPROVER["config"]],
                          capture_output=True, text=True, timeout=30)


def wait_ended(c) -> None:
    """Until the gateway has ended the session (its socket turns readable), at most 5 s."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not select.select([c.fileno()], [], [], 0.05)[0]:
        pass


def run_token(agent: Agent, conn: dict) -> list[list[dict]]:
    issued = token_cli("issue", "--agent", agent.name, "--json", *agent.token)
    if issued.returncode != 0:
        raise RuntimeError(f"airlock token issue: {issued.stderr.strip()}")
    TOKEN.update(json.loads(issued.stdout))
    with psycopg.connect(host=conn["host"], port=conn["port"], dbname=conn["database"],
                         user=TOKEN["user"], password=TOKEN["password"], autocommit=True,
                         connect_timeout=10, application_name=f"{agent.name} (psycopg)") as c:
        return run_attempts(agent, c)


def run_attempts(agent: Agent, c) -> list[list[dict]]:
    out = []
    for a in agent.attempts:
        runs = []
        approver = None
        approval: dict = {}
        if a.approve:
            approver = threading.Thread(target=approve_when_held, args=(agent.name, a.sql, approval))
            approver.start()
        if a.revoke:
            r = token_cli("revoke", TOKEN["id"])
            if r.returncode != 0:
                raise RuntimeError(f"airlock token revoke: {r.stderr.strip()}")
            wait_ended(c)
        for _ in range(a.repeat):
            try:
                with c.cursor() as cur:
                    # no parameters, never prepared: psycopg sends the simple query protocol,
                    # so a string with several statements goes as one Query, as from psql
                    cur.execute(a.sql, prepare=False)
                    tag = (cur.statusmessage or "").split(" ")[0]
                    run = {"ok": True, "command": tag, "rowCount": cur.rowcount}
                    if cur.description:
                        run["columns"] = [d.name for d in cur.description]
                        run["rows"] = [list(r) for r in cur.fetchall()]
                    runs.append(run)
            except psycopg.errors.Error as e:
                d = e.diag
                runs.append({"ok": False, "code": e.sqlstate, "message": d.message_primary or str(e),
                             "hint": d.message_hint or "", "detail": d.message_detail or ""})
        if approver:
            approver.join()
            for r in runs:
                r["approval"] = approval.get("id", "")
                r["approval_rule"] = approval.get("rule", "")
        out.append(runs)
    return out


def run_node(agent: Agent, conn: dict) -> list[list[dict]]:
    job = dict(conn, user=agent.name, password=agent_password(agent.name),
               statements=[{"sql": a.sql, "repeat": a.repeat} for a in agent.attempts])
    p = subprocess.run(["node", str(HERE / "agent_node.mjs")], input=json.dumps(job), text=True,
                       capture_output=True, timeout=60)
    if p.returncode != 0:
        raise RuntimeError(f"node agent {agent.name} failed: {p.stderr.strip()}")
    return json.loads(p.stdout)


MCP: dict = {}  # the MCP endpoint (--mcp-url), and what the last MCP agent saw when it connected


def run_mcp(agent: Agent, conn: dict) -> list[list[dict]]:
    job = {"url": MCP["url"], "bearer": agent_password(agent.name),
           "calls": [{"tool": a.tool, "arguments": {"sql": a.sql}} for a in agent.attempts]}
    p = subprocess.run(["node", str(HERE / "mcp_agent.mjs")], input=json.dumps(job), text=True,
                       capture_output=True, timeout=60)
    if p.returncode != 0:
        raise RuntimeError(f"MCP agent {agent.name} failed: {p.stderr.strip()}")
    out = json.loads(p.stdout)
    MCP["tools"] = out.get("tools") or []
    MCP["protocol"] = out.get("protocolVersion") or ""
    return out["results"]


def driver_label(driver: str) -> str:
    if driver == "psycopg":
        return f"psycopg {psycopg.__version__}"
    if driver == "token":
        return f"psycopg {psycopg.__version__}, logged in with a just-in-time token"
    if driver == "mcp":
        try:
            v = json.loads((ROOT / "tests/mcp/node_modules/@modelcontextprotocol/sdk/package.json")
                           .read_text())["version"]
        except OSError:
            v = "?"
        return f"MCP tools, @modelcontextprotocol/sdk {v}"
    try:
        v = json.loads((ROOT / "tests/js/node_modules/pg/package.json").read_text())["version"]
    except OSError:
        v = "?"
    return f"node-postgres {v}"


# ---------------------------------------------------------------- main


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gateway-host", default="127.0.0.1")
    ap.add_argument("--gateway-port", type=int, required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--su-host", required=True, help="PostgreSQL's unix socket directory")
    ap.add_argument("--su-port", type=int, required=True)
    ap.add_argument("--quick", action="store_true", help="no stories; for CI")
    ap.add_argument("--airlock-bin", required=True, help="for `airlock approvals`")
    ap.add_argument("--config", required=True, help="the gateway's config file")
    ap.add_argument("--shown-config", default="", help="the config path as printed")
    ap.add_argument("--mcp-url", default="", help="Airlock's MCP endpoint, for the MCP agent")
    args = ap.parse_args()
    MCP["url"] = args.mcp_url
    APPROVER.update(bin=args.airlock_bin, config=args.config, shown_config=args.shown_config or args.config)

    conn = {"host": args.gateway_host, "port": args.gateway_port, "database": args.db}
    su = psycopg.connect(host=args.su_host, port=args.su_port, user="postgres", dbname=args.db,
                         autocommit=True, connect_timeout=10)

    def su_count(sql: str) -> int:
        return su.execute(sql).fetchone()[0]

    totals = {"allow": 0, "deny": 0, "hold": 0}
    protected_sum = 0
    protected_where: dict[str, list[str]] = {}
    not_yet: list[str] = []
    mismatches: list[str] = []

    print(f"  {'agent':<{W_AGENT}} {'statement':<{W_SQL}} {'verdict':<7} reason")
    for agent in AGENTS:
        if agent.driver == "mcp" and not MCP["url"]:
            continue
        print()
        if not args.quick:
            print(paint("1", f"  {agent.name}") + paint("2", f"  via {driver_label(agent.driver)}: {agent.story}"))
        # Counted before the agent runs, as the superuser, straight on PostgreSQL.
        before = {}
        for i, a in enumerate(agent.attempts):
            if a.protects:
                t, w = a.protects
                before[("rows", i)] = su_count(f"SELECT count(*) FROM {t} WHERE {w}")
            if a.check:
                before[("check", i)] = su_count(a.check[1])
        try:
            run = {"psycopg": run_psycopg, "node": run_node, "mcp": run_mcp, "token": run_token}[agent.driver]
            results = run(agent, conn)
        except Exception as e:  # noqa: BLE001 - a connection failure ends the replay
            print(paint("31;1", f"  {agent.name}: could not run: {e}"))
            return 2
        if agent.driver == "token":
            print(" " * (W_AGENT + 3) + paint("2", f"airlock token issue: user {TOKEN['user']}, expires "
                                              f"{TOKEN['expires_at']}; scope " + " ".join(agent.token[1:4:2])
                                              + ", 1 row per write"))
        if agent.driver == "mcp":
            print(" " * (W_AGENT + 3) + paint("2", f"MCP {MCP['protocol']} over Streamable HTTP, tools offered: "
                                              + ", ".join(MCP["tools"])))

        for i, (a, runs) in enumerate(zip(agent.attempts, results)):
            outs = [classify(r) for r in runs]
            o = outs[0]
            if not a.storm:
                totals[o.verdict] += 1
            sql = short((f"{a.tool}: " if a.tool else "") + a.sql + (f"  ×{a.repeat}" if a.repeat > 1 else ""))
            code, label = VERDICT_STYLE[o.verdict]
            reason = o.reason
            if a.repeat > 1:
                same = sum(1 for x in outs if (x.verdict, x.reason) == (o.verdict, o.reason))
                reason = f"{same}/{a.repeat} times: {o.reason}"
            if a.revoke:
                print(" " * (W_AGENT + 3) + paint("2", f"airlock token revoke {TOKEN['id']}: the open session ends"))
            print(f"  {agent.name:<{W_AGENT}} {sql:<{W_SQL}} {paint(code, f'{label:<7}')} {reason}")

            problems = []
            if a.tool == "query" and o.verdict == "allow":
                wrapped = runs[0].get("untrusted")
                if not a.masked or not wrapped:
                    print(" " * (W_AGENT + 3) + paint("2", "the rows came back inside an untrusted-data boundary, with an "
                                                      "instruction not to follow commands found in them"
                                                      if wrapped else "the rows came back unwrapped"))
                if not wrapped:
                    problems.append("a query result was not wrapped as untrusted data")
            if a.storm:
                reached = sum(1 for x in outs if x.verdict == "allow")
                stopped = sum(1 for x in outs if x.verdict == "deny" and x.rule == "breaker")
                totals["deny"] += 1
                line = (f"on PostgreSQL: {reached} of {a.repeat} attempts reached it; the breaker "
                        f"refused {stopped} at once")
                print(" " * (W_AGENT + 3) + paint("2", line))
                stop = next((x.reason for x in outs if x.rule == "breaker"), "")
                if stop:
                    print(" " * (W_AGENT + 3) + paint("31", "breaker: " + short(stop, 110)))
                if reached != a.storm or reached + stopped != a.repeat:
                    problems.append(f"expected {a.storm} attempts to reach PostgreSQL and the rest "
                                    f"to be stopped; got {reached} and {stopped}")
                outs = []
            if a.masked and o.verdict == "allow":
                t, w, cols = a.masked
                raw = su.execute(f"SELECT {', '.join(cols)} FROM {t} WHERE {w}").fetchall()
                got = runs[0].get("rows") or []
                shown = ", ".join(str(v) for v in (got[0] if got else []))
                print(" " * (W_AGENT + 3) + paint("2", f"came back masked: {short(shown, 70)}"))
                secrets_ = {str(v) for r in raw for v in r if v is not None}
                if any(str(v) in secrets_ for r in got for v in r) or len(got) != len(raw):
                    problems.append("a masked column came back unmasked")
            if outs and any(x.verdict != a.expect for x in outs):
                problems.append(f"expected {a.expect.upper()}, got {', '.join(sorted({x.verdict.upper() for x in outs}))}")
            elif a.rule and o.rule != a.rule:
                problems.append(f"expected rule {a.rule}, got {o.rule or 'none'}")
            if a.protects and o.verdict != "allow":
                n = before[("rows", i)]
                protected_sum += n
                protected_where.setdefault(a.protects[0], []).append(a.protects[1])
            if a.check:
                what, q = a.check
                b, after = before[("check", i)], su_count(q)
                line = f"on PostgreSQL: {what}: {num(b)} before, {num(after)} after"
                if a.protects and o.verdict != "allow":
                    line += f"; rows protected: {num(before[('rows', i)])}"
                if b != after:
                    problems.append(f"{what} changed: {num(b)} -> {num(after)}")
                    line += paint("31;1", "  CHANGED")
                print(" " * (W_AGENT + 3) + paint("2", line))
            if a.not_yet:
                not_yet.append(a.not_yet.split(":")[0])
                print(" " * (W_AGENT + 3) + paint("33", f"not yet: {a.not_yet}"))
            for p in problems:
                mismatches.append(f"{agent.name}: {short(a.sql)}: {p}")
                print(" " * (W_AGENT + 3) + paint("31;1", f"UNEXPECTED: {p}"))

    distinct = sum(su_count(f"SELECT count(*) FROM {t} WHERE " + " OR ".join(f"({w})" for w in ws))
                   for t, ws in protected_where.items())
    su.close()

    print()
    print(paint("1", "  summary"))
    table = [
        ("allowed", "32;1", num(totals["allow"]), "forwarded to PostgreSQL"),
        ("denied", "31;1", num(totals["deny"]), "refused by Airlock; never ran on PostgreSQL"),
        ("held", "33;1", num(totals["hold"]), "waited for a human's yes or no (airlock approvals)"),
        ("rows protected", "1", num(protected_sum),
         f"rows the denied writes would have changed, counted on PostgreSQL ({num(distinct)} distinct)"),
    ]
    w = max(len(v) for _, _, v, _ in table)
    for k, style, v, note in table:
        print(f"  {k:<15} {paint(style, f'{v:>{w}}')}  " + paint("2", note))
    print()
    if not_yet:
        print("  not yet: " + ", ".join(dict.fromkeys(not_yet)) + paint("2", " (shown above as they behave today, never faked)"))
    # The trail: every statement above has an intent and an outcome record, hash-chained.
    cmd = [APPROVER["bin"], "audit", "verify", "--config", APPROVER["config"]]
    v = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    shown_cmd = "airlock audit verify --config " + APPROVER.get("shown_config", APPROVER["config"])
    print(f"  audit trail: {shown_cmd}")
    print("    " + paint("32;1" if v.returncode == 0 else "31;1", (v.stdout or v.stderr).strip().splitlines()[0]
                         if (v.stdout or v.stderr).strip() else f"exit {v.returncode}"))
    if v.returncode != 0:
        mismatches.append(f"audit verify failed: {v.stdout}{v.stderr}")
    if mismatches:
        print()
        print(paint("31;1", f"  {len(mismatches)} attempt(s) did not go as expected:"))
        for m in mismatches:
            print(f"    {m}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
