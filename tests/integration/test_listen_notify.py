"""LISTEN/NOTIFY between two gateway sessions (async NotificationResponse pass-through)."""
import select
import time


def wait_notifies(conn, count, timeout):
    """Collects up to `count` notifications that arrive asynchronously (no query sent), within
    `timeout` seconds. Uses libpq directly: psycopg 3.1's notifies() has no timeout."""
    got = []
    deadline = time.monotonic() + timeout
    while len(got) < count:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        r, _, _ = select.select([conn.fileno()], [], [], remaining)
        if r:
            conn.pgconn.consume_input()
        while True:
            n = conn.pgconn.notifies()
            if n is None:
                break
            got.append((n.relname.decode(), n.extra.decode()))
    return got


def test_notify_between_connections(gateway):
    with gateway.connect("alice") as listener, gateway.connect("bob") as sender:
        listener.execute("LISTEN airlock_chan")
        sender.execute("NOTIFY airlock_chan, 'hello'")
        sender.execute("SELECT pg_notify('airlock_chan', %s)", ["second ✓"])
        got = wait_notifies(listener, 2, timeout=5)
        assert got == [("airlock_chan", "hello"), ("airlock_chan", "second ✓")]


def test_notify_delivered_while_idle_then_query(gateway):
    """A notification that arrives while the listener is idle is delivered with its next query."""
    with gateway.connect("alice") as listener, gateway.connect("bob") as sender:
        received = []
        listener.add_notify_handler(lambda n: received.append(n.payload))
        listener.execute("LISTEN idle_chan")
        sender.execute("NOTIFY idle_chan, 'while-idle'")
        time.sleep(0.3)
        listener.execute("SELECT 1")
        deadline = time.monotonic() + 5
        while not received and time.monotonic() < deadline:
            listener.execute("SELECT 1")
            time.sleep(0.1)
        assert received == ["while-idle"]


def test_unlisten(gateway):
    with gateway.connect("alice") as listener, gateway.connect("bob") as sender:
        listener.execute("LISTEN u_chan")
        listener.execute("UNLISTEN u_chan")
        sender.execute("NOTIFY u_chan, 'x'")
        assert wait_notifies(listener, 1, timeout=0.5) == []
