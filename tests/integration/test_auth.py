"""Agent authentication: SCRAM-SHA-256 against per-agent passwords; failures look alike.

A wrong password and an unknown agent must be indistinguishable to the client: same
authentication exchange (a SCRAM challenge even for an unknown name), same SQLSTATE 28P01,
same message apart from the user name the client itself sent.
"""
import psycopg
import pytest

import harness
from harness import PgError, RawConn, run


async def _attempt(gateway, user, password):
    c = await RawConn.open(gateway.host, gateway.port)
    try:
        await c.startup(user, password, "app")
        return c.auth_flow, None
    except PgError as e:
        return c.auth_flow, e.fields
    finally:
        await c.close()


def test_correct_password_uses_scram(gateway):
    flow, err = run(_attempt(gateway, "alice", gateway.password("alice")))
    assert err is None
    assert flow[0].startswith("SASL:") and "SCRAM-SHA-256" in flow[0]
    assert flow[1:] == ["SASLContinue", "SASLFinal", "ok"]


def test_wrong_password_28P01(gateway):
    flow, err = run(_attempt(gateway, "alice", "not-the-password"))
    assert err is not None, flow
    assert err["C"] == "28P01", err
    assert err["S"] == "FATAL", err


def test_wrong_password_psycopg(gateway):
    with pytest.raises(psycopg.OperationalError) as ei:
        psycopg.connect(gateway.dsn("alice", password="wrong-pw-xyz"))
    assert "wrong-pw-xyz" not in str(ei.value)
    assert "authentication failed" in str(ei.value).lower()


def _normalize(fields, user):
    return {k: v.replace(user, "<user>") for k, v in fields.items() if k in ("S", "V", "C", "M", "D", "H")}


def test_unknown_agent_same_as_wrong_password(gateway):
    wrong_flow, wrong = run(_attempt(gateway, "alice", "not-the-password"))
    unk_flow, unknown = run(_attempt(gateway, "mallory", "whatever"))
    assert wrong is not None and unknown is not None
    assert unknown["C"] == wrong["C"] == "28P01"
    # same exchange: the unknown agent is challenged like a real one (no early refusal)
    assert unk_flow == wrong_flow, (unk_flow, wrong_flow)
    assert _normalize(unknown, "mallory") == _normalize(wrong, "alice"), (unknown, wrong)


def test_empty_password_refused(gateway):
    flow, err = run(_attempt(gateway, "bob", ""))
    assert err is not None and err["C"] == "28P01", (flow, err)


def test_other_agents_password_refused(gateway):
    flow, err = run(_attempt(gateway, "bob", gateway.password("alice")))
    assert err is not None and err["C"] == "28P01", (flow, err)


def test_agents_are_distinct(gateway):
    with gateway.connect("alice") as a, gateway.connect("bob") as b:
        assert a.execute("SELECT 1").fetchone() == b.execute("SELECT 1").fetchone() == (1,)
