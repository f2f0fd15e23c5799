"""1,000 concurrent client connections through the gateway, each authenticates with SCRAM and
runs SELECT 1 while all of them are open at once."""
import asyncio
import resource
import time

import pytest

from harness import RawConn, run

N = 1000
CONNECT_CONCURRENCY = 64  # connections being set up at the same moment


@pytest.fixture(autouse=True)
def _fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, 4 * N + 256))
    if want > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    if want < N + 64:
        pytest.skip(f"RLIMIT_NOFILE too low ({want}) for {N} connections")


async def _many(gateway):
    sem = asyncio.Semaphore(CONNECT_CONCURRENCY)
    agents = ["alice", "bob"]

    async def open_one(i):
        agent = agents[i % 2]
        async with sem:
            return await RawConn.connect(gateway.host, gateway.port, agent, gateway.password(agent), timeout=30)

    conns = []
    t0 = time.monotonic()
    results = await asyncio.gather(*(open_one(i) for i in range(N)), return_exceptions=True)
    errors = [r for r in results if isinstance(r, BaseException)]
    conns = [r for r in results if not isinstance(r, BaseException)]
    t_connect = time.monotonic() - t0
    try:
        assert not errors, f"{len(errors)} of {N} connections failed; first: {errors[0]!r}"
        answers = await asyncio.gather(*(c.query(f"SELECT {i}") for i, c in enumerate(conns)),
                                       return_exceptions=True)
        bad = [(i, a) for i, a in enumerate(answers) if a != [[(str(i).encode(),)]]]
        assert not bad, f"{len(bad)} wrong answers; first: {bad[0]!r}"
        return t_connect, time.monotonic() - t0
    finally:
        await asyncio.gather(*(c.close() for c in conns), return_exceptions=True)


def test_thousand_connections(gateway, pg):
    t_connect, t_total = run(_many(gateway), timeout=60)
    print(f"{N} connections in {t_connect:.1f}s, all answered after {t_total:.1f}s")
    assert t_total < 45
    assert gateway.alive()
    # the upstream connections are released afterwards
    deadline = time.monotonic() + 15
    while True:
        with pg.su_connect() as su:
            n = su.execute("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
                           " AND usename <> 'postgres'").fetchone()[0]
        if n < 50 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert n < 50, f"{n} upstream sessions still open 15 s after the clients left"
