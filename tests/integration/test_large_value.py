"""Large values: a 5 MB text and bytea round trip (messages far bigger than socket buffers)."""
import hashlib
import os

import pytest

SIZE = 5 * 1024 * 1024


@pytest.mark.parametrize("binary", [False, True], ids=["text", "binary"])
def test_5mb_text_round_trip(conn, binary):
    value = (os.urandom(SIZE // 2).hex())[:SIZE]
    got = conn.execute("SELECT %s::text", [value], binary=binary).fetchone()[0]
    assert len(got) == SIZE and got == value


def test_5mb_stored_and_read_back(conn):
    blob = os.urandom(SIZE)
    conn.execute("CREATE TEMP TABLE big(b bytea, t text)")
    conn.execute("INSERT INTO big VALUES (%s, repeat('x', %s))", [blob, SIZE])
    b, tlen, md5 = conn.execute("SELECT b, length(t), md5(b) FROM big").fetchone()
    assert bytes(b) == blob and tlen == SIZE and md5 == hashlib.md5(blob).hexdigest()
