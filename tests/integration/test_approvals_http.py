"""Approvals over HTTP (issue #4, part 3): a held statement POSTs a JSON notice to the
configured webhook, and an approver approves it through the admin API while the agent waits."""
from __future__ import annotations

import json
import secrets
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer

import psycopg
import pytest

import harness

AGENTS = {"ops2": ("OPS2_PASSWORD", "ops2-pw-http")}
POLICY = {
    "ops2": """
        allow:
          - tables: [public.ah_accounts]
            actions: [select]
        hold:
          - tables: [public.ah_accounts]
            actions: [update]
            reason: account changes need a human
    """,
}
TOKEN = "tok-" + secrets.token_hex(12)
HOOK_SECRET = "hook-" + secrets.token_hex(8)


class Hook(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        Hook.received.append((self.headers.get("Authorization"), json.loads(body)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def setup(pg):
    if harness.DIRECT:
        pytest.skip("approvals need the gateway")
    with pg.su_connect() as c:
        c.execute("DROP TABLE IF EXISTS public.ah_accounts")
        c.execute("CREATE TABLE public.ah_accounts(id int PRIMARY KEY, name text)")
        c.execute("INSERT INTO public.ah_accounts VALUES (1, 'one')")
        c.execute("GRANT SELECT, UPDATE ON public.ah_accounts TO airlock")
    hook = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    admin = harness.free_port()
    extra = (f"approvals: {{hold_wait: 15s, webhook: {{url: 'http://127.0.0.1:{hook.server_port}/hook', "
             f"secret_env: HOOK_SECRET}}}}\n"
             f"admin: {{listen: '127.0.0.1:{admin}', token_env: ADMIN_TOKEN}}")
    gw = harness.start_gateway(pg, name="apihttp", extra_agents=AGENTS, agent_policies=POLICY,
                               extra_yaml=extra,
                               extra_env={"ADMIN_TOKEN": TOKEN, "HOOK_SECRET": HOOK_SECRET})
    try:
        harness.wait_until_allowed(gw, "ops2", "SELECT count(*) FROM ah_accounts")
    except BaseException:
        gw.stop()
        raise
    try:
        yield gw, admin
    finally:
        gw.stop()
        hook.shutdown()


def api(port, method, path, body=None):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Authorization": f"Bearer {TOKEN}",
                                          "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read() or b"null")


def test_webhook_then_api_approval(pg, setup):
    gw, admin = setup
    out = {}

    def agent():
        try:
            with psycopg.connect(gw.dsn("ops2"), autocommit=True) as c:
                out["rows"] = c.execute("UPDATE ah_accounts SET name = 'via-api' WHERE id = 1").rowcount
        except Exception as e:  # noqa: BLE001
            out["error"] = e
    t = threading.Thread(target=agent)
    t.start()
    deadline = time.monotonic() + 10
    while not Hook.received and time.monotonic() < deadline:
        time.sleep(0.1)
    assert Hook.received, "the webhook was not called"
    auth, event = Hook.received[0]
    assert auth == f"Bearer {HOOK_SECRET}"
    text = json.dumps(event)
    assert "ah_accounts" in text and "ops2" in text, event
    pending = api(admin, "GET", "/v1/approvals?status=pending")
    req = next(a for a in pending if a["agent"] == "ops2")
    decided = api(admin, "POST", f"/v1/approvals/{req['id']}/approve", {"note": "ok from the API"})
    assert decided["status"] == "approved"
    t.join(20)
    assert out.get("rows") == 1, out
    with pg.su_connect() as c:
        assert c.execute("SELECT name FROM public.ah_accounts WHERE id = 1").fetchone() == ("via-api",)
