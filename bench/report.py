"""Turns bench/run.sh's raw results (TSV) into the summary table and build/bench/results.json.

usage: /usr/bin/python3 bench/report.py RESULTS.tsv OUT.json META_JSON
TSV columns: workload mode clients target round tps latency_ms proxy_cpu_us_per_txn load1 load5 load15
"""
from __future__ import annotations

import json
import math
import statistics
import sys
from collections import defaultdict

TARGETS = ("direct", "airlock", "pgbouncer")


def num(s: str) -> float:
    try:
        return float(s)
    except ValueError:
        return math.nan


def median(xs: list[float]) -> float:
    xs = [x for x in xs if not math.isnan(x)]
    return statistics.median(xs) if xs else math.nan


def fmt(x: float, spec: str) -> str:
    return "-" if x is None or math.isnan(x) else format(x, spec)


def main() -> int:
    tsv, out_json, meta_s = sys.argv[1:4]
    meta = json.loads(meta_s)
    runs = defaultdict(list)  # (w, m, c) -> target -> [(tps, lat, cpu)]
    raw = []
    order = []
    with open(tsv) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 8:
                continue
            w, m, c, t, r, tps, lat, cpu = parts[:8]
            load = parts[8] if len(parts) > 8 else ""
            key = (w, m, int(c))
            if key not in runs:
                order.append(key)
                runs[key] = defaultdict(list)
            runs[key][t].append((num(tps), num(lat), num(cpu)))
            raw.append({"workload": w, "mode": m, "clients": int(c), "target": t, "round": int(r),
                        "tps": num(tps), "latency_ms": num(lat), "proxy_cpu_us_per_txn": num(cpu),
                        "loadavg": load})

    cells = []
    for key in order:
        w, m, c = key
        cell = {"workload": w, "mode": m, "clients": c}
        for t in TARGETS:
            rs = runs[key].get(t, [])
            cell[t] = {"tps": median([x[0] for x in rs]), "latency_ms": median([x[1] for x in rs]),
                       "tps_rounds": [x[0] for x in rs]}
            if t != "direct":
                cell[t]["proxy_cpu_us_per_txn"] = median([x[2] for x in rs])
        d = cell["direct"]
        for t in ("airlock", "pgbouncer"):
            cell[t]["ratio_vs_direct"] = cell[t]["tps"] / d["tps"] if d["tps"] else math.nan
            cell[t]["added_latency_ms"] = cell[t]["latency_ms"] - d["latency_ms"]
        cells.append(cell)

    hdr = (f"{'workload':<8} {'mode':<8} {'cl':>3} {'tps direct':>11} {'airlock/d':>9} {'pgb/d':>7}"
           f" {'lat d ms':>9} {'lat al ms':>9} {'lat pgb ms':>10} {'+al ms':>8} {'+pgb ms':>8}"
           f" {'al us/txn':>9} {'pgb us/txn':>10}")
    print()
    print(hdr)
    print("-" * len(hdr))
    for cell in cells:
        d, a, p = cell["direct"], cell["airlock"], cell["pgbouncer"]
        print(f"{cell['workload']:<8} {cell['mode']:<8} {cell['clients']:>3} {fmt(d['tps'], '11.0f')}"
              f" {fmt(a['ratio_vs_direct'], '9.2f')} {fmt(p['ratio_vs_direct'], '7.2f')}"
              f" {fmt(d['latency_ms'], '9.3f')} {fmt(a['latency_ms'], '9.3f')} {fmt(p['latency_ms'], '10.3f')}"
              f" {fmt(a['added_latency_ms'], '+8.3f')} {fmt(p['added_latency_ms'], '+8.3f')}"
              f" {fmt(a['proxy_cpu_us_per_txn'], '9.1f')} {fmt(p['proxy_cpu_us_per_txn'], '10.1f')}")
    print("(ratios: median tps / median direct tps; latency: pgbench 'latency average', median of rounds;"
          " us/txn: proxy process CPU time per transaction)")

    # Goals (see docs/benchmarks.md)
    goals = []
    sel = {c["clients"]: c for c in cells if c["workload"] == "select" and c["mode"] == "prepared"}
    if 8 in sel:
        r = sel[8]["airlock"]["ratio_vs_direct"]
        goals.append({"goal": "airlock >= 0.70x direct, -S -M prepared, 8 clients", "value": r,
                      "met": bool(r >= 0.70)})
    for c, cell in sorted(sel.items()):
        a, p = cell["airlock"]["ratio_vs_direct"], cell["pgbouncer"]["ratio_vs_direct"]
        goals.append({"goal": f"airlock ratio >= pgbouncer ratio, -S -M prepared, {c} clients",
                      "value": [a, p], "met": bool(a >= p)})
    if 1 in sel:
        a, p = sel[1]["airlock"]["added_latency_ms"], sel[1]["pgbouncer"]["added_latency_ms"]
        goals.append({"goal": "added latency at 1 client <= pgbouncer's, -S -M prepared", "value": [a, p],
                      "met": bool(a <= p)})
    print()
    for g in goals:
        v = g["value"]
        vs = ", ".join(f"{x:.3f}" for x in v) if isinstance(v, list) else f"{v:.3f}"
        print(f"{'MET    ' if g['met'] else 'NOT MET'} {g['goal']} ({vs})")

    def clean(o):
        if isinstance(o, float) and math.isnan(o):
            return None
        if isinstance(o, dict):
            return {k: clean(v) for k, v in o.items()}
        if isinstance(o, list):
            return [clean(v) for v in o]
        return o

    with open(out_json, "w") as f:
        json.dump(clean({"meta": meta, "cells": cells, "goals": goals, "runs": raw}), f, indent=2)
        f.write("\n")
    print(f"\nresults written to {out_json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
