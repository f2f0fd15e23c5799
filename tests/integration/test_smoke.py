"""The gateway accepts a connection and answers a query; session identity is upstream's."""


def test_select_one(conn):
    assert conn.execute("SELECT 1").fetchone() == (1,)


def test_items_present(conn):
    assert conn.execute("SELECT count(*) FROM items").fetchone() == (1000,)


def test_database_is_upstreams(gateway):
    # Whatever database name the agent sends, the session lands in upstream's 'app'.
    name = "app" if gateway.direct else "some_other_db"
    with gateway.connect("bob", dbname=name) as c:
        assert c.execute("SELECT current_database()").fetchone() == ("app",)


def test_two_agents(gateway):
    for agent in ("alice", "bob"):
        with gateway.connect(agent) as c:
            assert c.execute("SELECT 40 + 2").fetchone() == (42,)


def test_raw_session_basics(gateway):
    """ParameterStatus and BackendKeyData reach the client; empty query works."""
    from harness import RawConn, run

    async def go():
        c = await RawConn.connect(gateway.host, gateway.port, "alice", gateway.password("alice"))
        try:
            for p in ("server_version", "client_encoding", "server_encoding", "standard_conforming_strings",
                      "DateStyle", "integer_datetimes"):
                assert p in c.params, (p, c.params)
            assert c.params["server_version"].startswith("15")
            assert c.backend_key is not None
            assert await c.query("") == []
            assert await c.query("SELECT 1; SELECT 'a', NULL") == [[(b"1",)], [(b"a", None)]]
        finally:
            await c.close()
    run(go(), timeout=20)
