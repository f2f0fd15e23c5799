"""Waiting on the gateway's state instead of on time: its /metrics on the admin listener.

A gateway started with `admin_yaml(port)` in its extra_yaml serves /metrics; `wait_gauge`
polls a series until it has the wanted value, with a deadline (never a fixed sleep)."""
from __future__ import annotations

import re
import urllib.error
import urllib.request

import waits


def admin_yaml(port: int) -> str:
    return f"admin: {{listen: '127.0.0.1:{port}'}}"


def scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
        return r.read().decode()


def value(text: str, series: str) -> float | None:
    """The sample of `series` (name with its labels as exposed, e.g. 'x{agent="a"}')."""
    m = re.search(r"^" + re.escape(series) + r" (\S+)$", text, re.MULTILINE)
    return float(m.group(1)) if m else None


def wait_gauge(port: int, series: str, want: float, timeout: float = 15) -> None:
    last = None

    def reached() -> bool:
        nonlocal last
        try:
            last = value(scrape(port), series)
        except (OSError, urllib.error.URLError) as e:
            last = repr(e)
        return last == want
    waits.until(reached, timeout, lambda: f"{series} never became {want} (last: {last})")
