"""psycopg 3 pipeline mode (extended protocol, many messages before one Sync/reads)."""
import psycopg
import pytest


def test_pipeline_several_statements(conn):
    conn.execute("CREATE TEMP TABLE pl(a int)")
    with conn.pipeline():
        curs = []
        for i in range(50):
            conn.execute("INSERT INTO pl VALUES (%s)", [i])
        for i in range(5):
            c = conn.cursor()
            c.execute("SELECT %s::int * 2", [i])
            curs.append(c)
    assert [c.fetchone()[0] for c in curs] == [0, 2, 4, 6, 8]
    assert conn.execute("SELECT count(*), sum(a) FROM pl").fetchone() == (50, sum(range(50)))


def test_pipeline_error_in_middle_and_recovery(gateway):
    with gateway.connect(autocommit=True) as c:
        c.execute("CREATE TEMP TABLE ple(a int PRIMARY KEY)")
        before = c.cursor()
        after = c.cursor()
        with pytest.raises(psycopg.errors.UniqueViolation):
            with c.pipeline() as p:
                before.execute("INSERT INTO ple VALUES (1) RETURNING a")
                p.sync()
                c.execute("INSERT INTO ple VALUES (2)")
                c.execute("INSERT INTO ple VALUES (2)")  # fails
                after.execute("INSERT INTO ple VALUES (3)")  # skipped by the server until Sync
                p.sync()
        assert before.fetchone() == (1,)
        # the first sync'ed batch committed; the failed batch was aborted as a whole
        assert c.execute("SELECT array_agg(a ORDER BY a) FROM ple").fetchone() == ([1],)
        # the session recovers and can pipeline again
        with c.pipeline():
            c.execute("INSERT INTO ple VALUES (4)")
            cur = c.execute("SELECT count(*) FROM ple")
        assert cur.fetchone() == (2,)


def test_pipeline_in_transaction(gateway):
    with gateway.connect(autocommit=False) as c:
        with c.pipeline():
            c.execute("CREATE TEMP TABLE plt(a int)")
            c.execute("INSERT INTO plt SELECT generate_series(1, 10)")
            cur = c.execute("SELECT sum(a) FROM plt")
        assert cur.fetchone() == (55,)
        c.rollback()
        with pytest.raises(psycopg.errors.UndefinedTable):
            c.execute("SELECT * FROM plt")
        c.rollback()
