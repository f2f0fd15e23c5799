"""Prepared statements: psycopg prepare=True (named server statements), SQL PREPARE."""
import psycopg


def test_prepare_true(conn):
    for i in range(1, 20):
        assert conn.execute("SELECT name FROM items WHERE id = %s", [i], prepare=True).fetchone() == (f"item-{i}",)
    # the statement exists server-side as a protocol-level prepared statement
    n = conn.execute("SELECT count(*) FROM pg_prepared_statements WHERE NOT from_sql "
                     "AND statement LIKE 'SELECT name FROM items WHERE id = $1%'").fetchone()[0]
    assert n == 1


def test_auto_prepare_threshold(gateway):
    with gateway.connect() as c:
        c.prepare_threshold = 2
        for i in range(6):
            assert c.execute("SELECT %s::int + 100", [i]).fetchone() == (i + 100,)
        assert c.execute("SELECT count(*) FROM pg_prepared_statements WHERE NOT from_sql").fetchone()[0] >= 1


def test_prepared_statement_survives_error(conn):
    for i in range(3):
        conn.execute("SELECT 10 / %s", [i + 1], prepare=True)
    try:
        conn.execute("SELECT 10 / %s", [0], prepare=True)
        raise AssertionError("expected division by zero")
    except psycopg.errors.DivisionByZero:
        pass
    assert conn.execute("SELECT 10 / %s", [5], prepare=True).fetchone() == (2,)


def test_sql_prepare_execute(conn):
    conn.execute("PREPARE q(int) AS SELECT qty FROM items WHERE id = $1")
    assert conn.execute("EXECUTE q(42)").fetchone() == (42,)
    conn.execute("DEALLOCATE q")
