#!/usr/bin/env python3
"""p99 of GET /api/auth/me through nginx, alone and while logins run at a fixed offered rate.

Starts its own stack (e2e/stack.py) from BIN_DIR (use a release build), with the default 600,000
PBKDF2 iterations unless PASSWORD_ITERATIONS is set, and measures with wrk:

    make build
    BIN_DIR=.build/release .venv/bin/python scripts/bench/auth_p99.py [--logins-per-second 20] [--seconds 20]
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "e2e"))

import requests  # noqa: E402

from stack import Stack  # noqa: E402


def wrk(url: str, cookie: str, seconds: int) -> dict[str, str]:
    out = subprocess.run(["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency", "-H", f"Cookie: {cookie}", url],
                         capture_output=True, text=True, check=True).stdout
    found = {k: v for k, v in re.findall(r"^\s+(50|90|99)%\s+(\S+)", out, re.M)}
    found["rps"] = re.search(r"Requests/sec:\s+(\S+)", out).group(1)
    found["non2xx"] = (re.search(r"Non-2xx or 3xx responses: (\d+)", out) or [None, "0"])[1]
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--logins-per-second", type=float, default=20)
    parser.add_argument("--seconds", type=int, default=20)
    args = parser.parse_args()
    iterations = os.environ.get("PASSWORD_ITERATIONS", "600000")
    with Stack(env={"PASSWORD_ITERATIONS": iterations, "LOG_LEVEL": "warning",
                    "LOGIN_FAILURES_PER_ADDRESS": "100000", "LOGIN_FAILURES_PER_ACCOUNT": "100000"}) as stack:
        origin = {"Origin": stack.url}
        creds = {"username": "bench_reader", "email": "reader@example.test", "password": "Reading-Lamp-Glows-42"}
        s = requests.Session()
        r = s.post(stack.url + "/api/auth/register", json=creds, headers=origin, timeout=60)
        assert r.status_code == 201, r.text
        cookie = "; ".join(f"{c.name}={c.value}" for c in s.cookies)
        me = stack.url + "/api/auth/me"

        quiet = wrk(me, cookie, args.seconds)

        stop = threading.Event()
        outcomes: dict[int, int] = {}
        lock = threading.Lock()

        def login_once() -> None:
            try:
                code = requests.post(stack.url + "/api/auth/login", json={"username": creds["username"],
                                     "password": creds["password"]}, headers=origin, timeout=30).status_code
            except requests.RequestException:
                code = 0
            with lock:
                outcomes[code] = outcomes.get(code, 0) + 1

        def offer_logins() -> None:
            interval = 1 / args.logins_per_second
            next_at = time.monotonic()
            while not stop.is_set():
                threading.Thread(target=login_once, daemon=True).start()
                next_at += interval
                time.sleep(max(0, next_at - time.monotonic()))

        threading.Thread(target=offer_logins, daemon=True).start()
        time.sleep(2)  # let the login load settle
        busy = wrk(me, cookie, args.seconds)
        stop.set()
        time.sleep(2)

    print(f"PBKDF2 iterations: {iterations}; logins offered: {args.logins_per_second}/s; outcomes: {outcomes}")
    print(f"{'':24} {'p50':>9} {'p90':>9} {'p99':>9} {'req/s':>10} non-2xx")
    for name, m in (("GET /me, no logins", quiet), ("GET /me, with logins", busy)):
        print(f"{name:24} {m.get('50', '-'):>9} {m.get('90', '-'):>9} {m.get('99', '-'):>9} {m['rps']:>10} {m['non2xx']}")


if __name__ == "__main__":
    main()
