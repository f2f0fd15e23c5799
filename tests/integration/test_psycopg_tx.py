"""Transactions: commit, rollback, savepoints, failed-transaction state."""
import psycopg
import pytest


@pytest.fixture
def table(gateway):
    with gateway.connect() as c:
        c.execute("DROP TABLE IF EXISTS tx_t; CREATE TABLE tx_t(a int)")
    yield "tx_t"
    with gateway.connect() as c:
        c.execute("DROP TABLE IF EXISTS tx_t")


def test_commit_visible_elsewhere(gateway, table):
    with gateway.connect(autocommit=False) as c1, gateway.connect("bob") as c2:
        c1.execute("INSERT INTO tx_t VALUES (1)")
        assert c2.execute("SELECT count(*) FROM tx_t").fetchone() == (0,)
        c1.commit()
        assert c2.execute("SELECT count(*) FROM tx_t").fetchone() == (1,)


def test_rollback(gateway, table):
    with gateway.connect(autocommit=False) as c:
        c.execute("INSERT INTO tx_t VALUES (1), (2)")
        assert c.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS
        c.rollback()
        assert c.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        assert c.execute("SELECT count(*) FROM tx_t").fetchone() == (0,)
        c.rollback()


def test_failed_transaction_then_rollback(gateway, table):
    with gateway.connect(autocommit=False) as c:
        c.execute("INSERT INTO tx_t VALUES (1)")
        with pytest.raises(psycopg.errors.UndefinedColumn):
            c.execute("SELECT nope FROM tx_t")
        assert c.info.transaction_status == psycopg.pq.TransactionStatus.INERROR
        with pytest.raises(psycopg.errors.InFailedSqlTransaction):
            c.execute("SELECT 1")
        c.rollback()
        assert c.execute("SELECT count(*) FROM tx_t").fetchone() == (0,)
        c.commit()


def test_savepoints(gateway, table):
    with gateway.connect(autocommit=True) as c:
        with c.transaction():
            c.execute("INSERT INTO tx_t VALUES (1)")
            with pytest.raises(psycopg.errors.DivisionByZero):
                with c.transaction():  # SAVEPOINT
                    c.execute("INSERT INTO tx_t VALUES (2)")
                    c.execute("SELECT 1/0")
            c.execute("INSERT INTO tx_t VALUES (3)")
        assert c.execute("SELECT array_agg(a ORDER BY a) FROM tx_t").fetchone() == ([1, 3],)


def test_simple_protocol_transaction_block(gateway, table):
    with gateway.connect() as c:
        c.execute("BEGIN; INSERT INTO tx_t VALUES (7); ROLLBACK;", prepare=False)
        assert c.execute("SELECT count(*) FROM tx_t").fetchone() == (0,)
