"""NoticeResponse pass-through (RAISE NOTICE / WARNING in a DO block)."""


def test_raise_notice(conn):
    notices = []
    conn.add_notice_handler(lambda d: notices.append((d.severity_nonlocalized, d.sqlstate, d.message_primary)))
    conn.execute("DO $$ BEGIN RAISE NOTICE 'hello from %', 'plpgsql'; RAISE WARNING 'careful'; END $$")
    assert ("NOTICE", "00000", "hello from plpgsql") in notices
    assert ("WARNING", "01000", "careful") in notices


def test_notice_interleaved_with_rows(conn):
    notices = []
    conn.add_notice_handler(lambda d: notices.append(d.message_primary))
    conn.execute("""CREATE FUNCTION pg_temp.noisy(i int) RETURNS int LANGUAGE plpgsql AS
                    $$ BEGIN RAISE NOTICE 'row %', i; RETURN i; END $$""")
    rows = conn.execute("SELECT pg_temp.noisy(g) FROM generate_series(1, 5) g").fetchall()
    assert [r[0] for r in rows] == [1, 2, 3, 4, 5]
    assert notices == [f"row {i}" for i in range(1, 6)]
