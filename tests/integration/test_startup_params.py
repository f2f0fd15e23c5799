"""Startup parameters: ordinary client parameters pass, dangerous ones are refused.

A refusal is an ErrorResponse before ReadyForQuery: the session never becomes usable.
"""
import pytest

from harness import PgError, RawConn, run


async def _try(gateway, extra):
    c = await RawConn.open(gateway.host, gateway.port)
    try:
        await c.startup("alice", gateway.password("alice"), "app", extra)
        rows = await c.query("SELECT current_setting('application_name'), current_setting('DateStyle')")
        return "ok", rows
    except PgError as e:
        return "error", e.fields
    finally:
        await c.close()


def test_common_parameters_accepted(gateway):
    status, rows = run(_try(gateway, {"application_name": "it-app", "client_encoding": "UTF8",
                                      "DateStyle": "ISO, DMY", "TimeZone": "UTC", "extra_float_digits": "3"}))
    assert status == "ok", rows
    assert rows[0][0] == (b"it-app", b"ISO, DMY")


@pytest.mark.parametrize("extra", [
    {"replication": "database"},
    {"replication": "true"},
    {"airlock_bogus_param": "1"},
], ids=["replication_database", "replication_physical", "unknown_parameter"])
def test_refused(gateway, extra):
    status, info = run(_try(gateway, extra))
    assert status == "error", f"session was usable with {extra}: {info}"
    assert info.get("S") in ("FATAL", "ERROR"), info


@pytest.mark.gateway_only
@pytest.mark.parametrize("extra", [
    {"options": "-c role=postgres"},
    {"options": "-c session_authorization=postgres"},
    {"role": "postgres"},
    {"session_authorization": "postgres"},
], ids=["options_role", "options_session_auth", "role", "session_authorization"])
def test_identity_changing_parameters_refused(gateway, extra):
    """Parameters that would change the upstream identity never reach PostgreSQL."""
    status, info = run(_try(gateway, extra))
    assert status == "error", f"session was usable with {extra}: {info}"
