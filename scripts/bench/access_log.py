#!/usr/bin/env python3
"""Cost of the HTTP access log: req/s of a request answered on the event loop, log off vs on.

Starts its own redis-server and one auth-svc from BIN_DIR (use a release build), then runs
`wrk -t2 -c64 -d10s` (keep-alive) against an unknown path: the 404 is built and logged on the
event loop without touching SQLite, Redis or the worker pool, so the figure is the HTTP core
plus one access-log line per request. LOG_LEVEL=warning turns the access log off, info on.
Besides req/s it prints the service's CPU time per request (from /proc), which stays meaningful
when other work shares the cores.
The service's stderr goes to a file, as it would to a container's log.

    make build
    BIN_DIR=.build/release .venv/bin/python scripts/bench/access_log.py [--seconds 10] [--rounds 3]

Not part of `make test`: it saturates both cores for the whole run.
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "e2e"))

from stack import bin_dir, free_port, http_status, start_process, start_redis  # noqa: E402


def wrk(url: str, seconds: int) -> tuple[float, int]:
    """Requests per second and the number of requests."""
    out = subprocess.run(["wrk", "-t2", "-c64", f"-d{seconds}s", url],
                         capture_output=True, text=True, check=True).stdout
    return float(re.search(r"Requests/sec:\s+(\S+)", out).group(1)), int(re.search(r"(\d+) requests in", out).group(1))


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far: less sensitive than req/s to a busy machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(binary: Path, level: str, redis_url: str, tmp: Path, seconds: int) -> tuple[float, float, int]:
    port = free_port()
    data = tmp / f"data-{level}-{port}"
    data.mkdir()
    env = dict(os.environ, LISTEN=f"127.0.0.1:{port}", DATA_DIR=str(data), REDIS_URL=redis_url,
               PUBLIC_URL="http://127.0.0.1", LOG_LEVEL=level, PASSWORD_ITERATIONS="1000")
    proc = start_process(f"auth-{level}-{port}", [str(binary)], env, tmp, port)
    try:
        deadline = time.monotonic() + 30
        while http_status(f"http://127.0.0.1:{port}/healthz") != 200:
            if not proc.alive() or time.monotonic() > deadline:
                raise RuntimeError(f"auth-svc did not start:\n{proc.log()}")
            time.sleep(0.1)
        cpu = cpu_seconds(proc.pid)
        rps, requests = wrk(f"http://127.0.0.1:{port}/bench/not-found", seconds)
        micros = (cpu_seconds(proc.pid) - cpu) * 1e6 / max(1, requests)
        lines = sum(1 for line in proc.log().splitlines() if "msg=request" in line)
        return rps, micros, lines
    finally:
        status = proc.stop()
        if status != 0:
            print(f"auth-svc exited with {status}:\n{proc.log()[-2000:]}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--binary", type=Path, default=bin_dir() / "auth-svc")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="access-log-bench-") as name:
        tmp = Path(name)
        redis = start_redis(tmp / "redis", tmp)
        try:
            for round_ in range(1, args.rounds + 1):
                for level in ("warning", "info"):
                    rps, micros, lines = run(args.binary, level, f"redis://127.0.0.1:{redis.port}", tmp, args.seconds)
                    print(f"round {round_}  LOG_LEVEL={level:8} {rps:>8.0f} req/s  {micros:5.2f} µs CPU/request"
                          f"  access lines {lines}", flush=True)
        finally:
            redis.stop()


if __name__ == "__main__":
    main()
