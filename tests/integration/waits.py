"""Conditions tests wait on instead of sleeping: a statement really running upstream.

`pg_stat_activity`, read as superuser, shows a statement once PostgreSQL executes it; a
unique comment in the statement (the marker) finds it. Polls with a deadline."""
from __future__ import annotations

import asyncio
import time
from typing import Callable, TypeVar

T = TypeVar("T")


def until(check: Callable[[], T], timeout: float, what: Callable[[], str] | str) -> T:
    """Polls `check` until it returns something truthy, which is returned; fails with `what`
    (a text, or a function giving it) after `timeout` seconds. The one poll loop of the suite."""
    deadline = time.monotonic() + timeout
    while True:
        got = check()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(what() if callable(what) else what)
        time.sleep(0.02)  # poll interval of the condition


def active_statements(pg, marker: str) -> list[tuple]:
    with pg.su_connect() as su:
        return su.execute(
            "SELECT pid, usename FROM pg_stat_activity WHERE state = 'active'"
            " AND pid <> pg_backend_pid() AND query LIKE %s", [f"%{marker}%"]).fetchall()


def wait_for_statement(pg, marker: str, timeout: float = 15) -> list[tuple]:
    """Returns once a statement containing `marker` is active upstream."""
    return until(lambda: active_statements(pg, marker), timeout,
                 f"no active statement with {marker!r} after {timeout}s")


async def wait_for_statement_async(pg, marker: str, timeout: float = 15) -> list[tuple]:
    return await asyncio.to_thread(wait_for_statement, pg, marker, timeout)
