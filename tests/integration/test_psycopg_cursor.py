"""psycopg 3: server-side (named) cursors through the gateway."""


def test_named_cursor_iteration(gateway):
    with gateway.connect(autocommit=False) as c:
        with c.cursor(name="it_cur") as cur:
            cur.itersize = 37
            cur.execute("SELECT id, name FROM items ORDER BY id")
            seen = 0
            for i, (id_, name) in enumerate(cur, start=1):
                assert id_ == i and name == f"item-{i}"
                seen += 1
            assert seen == 1000
        c.commit()


def test_named_cursor_fetchmany_scroll(gateway):
    with gateway.connect(autocommit=False) as c:
        with c.cursor(name="scroll_cur", scrollable=True) as cur:
            cur.execute("SELECT id FROM items WHERE id <= %s ORDER BY id", [100])
            assert [r[0] for r in cur.fetchmany(10)] == list(range(1, 11))
            cur.scroll(50, mode="absolute")
            assert cur.fetchone() == (51,)
            cur.scroll(-11)
            assert cur.fetchone() == (41,)
        c.rollback()


def test_withhold_cursor_survives_commit(gateway):
    with gateway.connect(autocommit=False) as c:
        cur = c.cursor(name="hold_cur", withhold=True)
        cur.execute("SELECT id FROM items ORDER BY id LIMIT 20")
        c.commit()
        assert len(cur.fetchall()) == 20
        cur.close()
