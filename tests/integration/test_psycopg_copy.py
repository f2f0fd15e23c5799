"""psycopg 3: COPY FROM STDIN and COPY TO STDOUT through the gateway."""
import psycopg
import pytest


def test_copy_to_stdout(conn):
    with conn.cursor() as cur:
        data = bytearray()
        with cur.copy("COPY (SELECT id, name, qty FROM items ORDER BY id) TO STDOUT") as cp:
            for chunk in cp:
                data += chunk
    lines = bytes(data).decode().splitlines()
    assert len(lines) == 1000
    assert lines[0] == "1\titem-1\t1"


def test_copy_to_stdout_rows_binary(conn):
    with conn.cursor() as cur:
        with cur.copy("COPY (SELECT id, name FROM items WHERE id <= 50 ORDER BY id) TO STDOUT (FORMAT BINARY)") as cp:
            cp.set_types(["int4", "text"])
            rows = list(cp.rows())
    assert rows[0] == (1, "item-1") and len(rows) == 50


def test_copy_from_stdin_rows(conn):
    conn.execute("CREATE TEMP TABLE cp_in(id int, name text, qty int)")
    with conn.cursor() as cur:
        with cur.copy("COPY cp_in (id, name, qty) FROM STDIN") as cp:
            for i in range(20000):
                cp.write_row((i, f"row {i}\twith tab", i % 7))
        assert cur.rowcount == 20000
    assert conn.execute("SELECT count(*), sum(id), max(name) FROM cp_in WHERE name LIKE '%with tab'").fetchone() \
        == (20000, sum(range(20000)), "row 9999\twith tab")


def test_copy_from_stdin_raw_csv(conn):
    conn.execute("CREATE TEMP TABLE cp_csv(a int, b text)")
    payload = "".join(f'{i},"q,{i}"\n' for i in range(1000)).encode()
    with conn.cursor() as cur:
        with cur.copy("COPY cp_csv FROM STDIN WITH (FORMAT csv)") as cp:
            for off in range(0, len(payload), 777):  # odd chunk sizes split CopyData messages anywhere
                cp.write(payload[off:off + 777])
    assert conn.execute("SELECT count(*), min(b) FROM cp_csv").fetchone() == (1000, "q,0")


def test_copy_from_stdin_error_then_usable(conn):
    conn.execute("CREATE TEMP TABLE cp_err(a int)")
    with pytest.raises(psycopg.errors.InvalidTextRepresentation):
        with conn.cursor() as cur:
            with cur.copy("COPY cp_err FROM STDIN") as cp:
                cp.write(b"1\n2\nnope\n3\n")
    assert conn.execute("SELECT count(*) FROM cp_err").fetchone() == (0,)


def test_copy_client_abort(conn):
    """The client aborts the COPY (CopyFail); the session stays usable."""
    conn.execute("CREATE TEMP TABLE cp_abort(a int)")
    with pytest.raises(psycopg.errors.QueryCanceled):
        with conn.cursor() as cur:
            with cur.copy("COPY cp_abort FROM STDIN") as cp:
                cp.write(b"1\n")
                raise psycopg.errors.QueryCanceled("client gave up")  # psycopg sends CopyFail
    assert conn.execute("SELECT count(*) FROM cp_abort").fetchone() == (0,)
