#!/usr/bin/env python3
"""Idle footprint and start-up time of each service (issue "Platform": under 15 MB resident when idle,
/healthz within 200 ms of being started).

    make build
    .venv/bin/python scripts/bench/idle.py [--settle 10] [--starts 5]

The release stack starts on free ports and answers one request per service through nginx (so each
has served traffic once), then sits idle for `--settle` seconds before its memory is read from
/proc: VmRSS (what `ps` and the target count, shared library pages included), and the private part
(Private_Clean + Private_Dirty of smaps_rollup, what this process alone costs). Then each service is
stopped and started `--starts` times on its port; the time from exec to the first 200 on its own
/healthz (polled every 2 ms) is reported as a median.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import time
from pathlib import Path

from common import bench_stack, rss_kb, results_dir, stop_on_sigterm
from stack import http_status

SERVICES = ("auth", "room", "relay", "mail")


def private_kb(pid: int) -> int:
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value, *_ = line.split()
        fields[name.rstrip(":")] = int(value)
    return fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)


def time_to_healthy(stack, name: str) -> float:
    """Stops `name`, starts it on the same port, and returns ms from exec to its first 200."""
    stack.kill(name, sig=15)
    started = time.monotonic()
    stack.restart(name, poll=0.002)
    return (time.monotonic() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--settle", type=float, default=10, help="idle seconds before reading memory")
    parser.add_argument("--starts", type=int, default=5, help="restarts per service for the start-up median")
    args = parser.parse_args()
    stop_on_sigterm()
    out = results_dir("idle")
    with bench_stack() as stack:
        for name in ("nginx", *SERVICES):
            assert http_status(f"{stack.url}/_health/{name}") == 200, name
        time.sleep(args.settle)
        memory = {name: {"rss_kb": rss_kb(stack.procs[name].pid), "private_kb": private_kb(stack.procs[name].pid)}
                  for name in SERVICES}
        starts = {name: [time_to_healthy(stack, name) for _ in range(args.starts)] for name in SERVICES}
    binary = stack.binaries / "relay-svc"
    linked = subprocess.run(["ldd", str(binary)], capture_output=True, text=True).stdout
    static = "libswiftCore" not in linked
    print(f"binaries: {stack.binaries} ({'static' if static else 'dynamic'} Swift runtime)")
    print(f"{'service':8} {'VmRSS':>9} {'private':>9} {'healthz after start (median of ' + str(args.starts) + ')':>40}")
    for name in SERVICES:
        m = memory[name]
        print(f"{name:8} {m['rss_kb'] / 1024:7.1f} MB {m['private_kb'] / 1024:6.1f} MB "
              f"{statistics.median(starts[name]):34.0f} ms (max {max(starts[name]):.0f})")
    (out / "idle.json").write_text(json.dumps({"static": static, "memory": memory, "starts_ms": starts}, indent=1))
    print(f"results: {out}")


if __name__ == "__main__":
    main()
