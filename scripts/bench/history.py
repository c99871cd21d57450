#!/usr/bin/env python3
"""History benchmark: one page of 50 messages from a room holding 1,000,000 messages, through nginx
(auth_request + room-svc), measured with wrk and a member's session cookie.

    make build
    .venv/bin/python scripts/bench/history.py [--messages 1000000] [--seconds 20] [--connections 32]

Seeding writes the rows directly into the SQLite file (room-svc's own tables, exactly the columns
and values MessageWriter.store writes: kind 'text', a body, created_at in ms, a UUID client_id, and
the room's last_message_id / activity_at), because a million sends through the API would take an
hour. Everything measured afterwards goes through the public API only.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import subprocess
import time

from common import Api, bench_stack, bench_users, rss_kb, results_dir, stop_on_sigterm, wait_quiet

AUTHORS = 10


def seed(db_path: str, room: int, author_ids: list[int], count: int) -> tuple[int, int]:
    """Appends `count` text messages to `room`, authors taking turns; returns (first id, last id)."""
    conn = sqlite3.connect(db_path, timeout=30)
    conn.execute("PRAGMA foreign_keys = ON")
    start_ms = int(time.time() * 1000) - count * 1000  # one message a second, ending about now
    authors = ",".join(str(a) for a in author_ids)
    with conn:
        conn.execute(f"""
            WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
            INSERT INTO messages (room_id, author_id, kind, body, media, created_at, client_id)
            SELECT ?, json_extract('[{authors}]', '$[' || (i % {len(author_ids)}) || ']'), 'text',
                   'history message ' || i || ' ' || substr('the quick brown fox jumps over the lazy dog; '
                       || 'pack my box with five dozen liquor jugs. sphinx of black quartz, judge my vow.', 1, 20 + i % 100),
                   NULL, ? + i * 1000,
                   lower(substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-4' || substr(h, 14, 3) || '-a'
                         || substr(h, 18, 3) || '-' || substr(h, 21, 12))
            FROM (SELECT i, hex(randomblob(16)) AS h FROM n)
            """, (count, room, start_ms))
        first, last, last_at = conn.execute(
            "SELECT min(id), max(id), max(created_at) FROM messages WHERE room_id = ?", (room,)).fetchone()
        conn.execute("UPDATE rooms SET last_message_id = ?, activity_at = ? WHERE id = ?", (last, last_at, room))
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return first, last


def wrk(url: str, cookie: str, seconds: int, connections: int) -> dict:
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-H", f"Cookie: {cookie}", url],
                         capture_output=True, text=True, check=True).stdout
    found = {f"p{k}": v for k, v in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M)}
    found["rps"] = float(re.search(r"Requests/sec:\s+(\S+)", out).group(1))
    found["requests"] = int(re.search(r"(\d+) requests in", out).group(1))
    found["non2xx"] = int((re.search(r"Non-2xx or 3xx responses: (\d+)", out) or [None, "0"])[1])
    errors = re.search(r"Socket errors: (.*)", out)
    found["socket_errors"] = errors.group(1) if errors else ""
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3, help="wrk runs per URL (the median is reported)")
    parser.add_argument("--hold", action="store_true", help="keep the stack running at the end, for profiling")
    args = parser.parse_args()
    stop_on_sigterm()
    out = results_dir("history")

    with bench_stack() as stack:
        cookies = bench_users(stack, AUTHORS, "hist")
        api = Api(stack, cookies[0])
        room = api.group("history", [f"hist{i}" for i in range(2, AUTHORS + 1)])
        ids = [m["id"] for m in api.http.get(f"{stack.url}/api/rooms/{room}", timeout=10).json()["members"]]
        t0 = time.monotonic()
        first, last = seed(str(stack.data_dir / "chat.db"), room, sorted(ids), args.messages)
        seeded_s = time.monotonic() - t0
        middle = first + (last - first) // 2
        latest = f"{stack.url}/api/rooms/{room}/messages?limit=50"
        before = f"{latest}&before={middle}"
        for url in (latest, before):  # correctness before speed: 50 messages, the right ones
            page = api.http.get(url, timeout=10).json()
            assert len(page["messages"]) == 50 and page["has_more"], page
        assert api.http.get(before, timeout=10).json()["messages"][-1]["id"] == middle - 1
        print(f"room {room}: {args.messages} messages (ids {first}..{last}) seeded in {seeded_s:.1f} s", flush=True)

        pids = {name: stack.procs[name].pid for name in ("nginx", "auth", "room")}
        results = {}
        for r in range(args.rounds):
            for name, url in (("latest", latest), ("before", before)):
                load = wait_quiet(timeout=60)
                res = wrk(url, cookies[-1], args.seconds, args.connections)
                res["load1_before"] = load
                res["load1_after"] = os.getloadavg()[0]
                results.setdefault(name, []).append(res)
                print(f"round {r + 1} {name:6} {res['rps']:9.0f} req/s  p50 {res.get('p50')}  p99 {res.get('p99')}"
                      f"  non-2xx {res['non2xx']}  load {load:.2f}->{res['load1_after']:.2f}", flush=True)
        rss = {name: rss_kb(pid) for name, pid in pids.items()}
        (out / "history.json").write_text(json.dumps({"messages": args.messages, "room": room, "results": results,
                                                      "rss_kb": rss}, indent=1))
        if args.hold:
            print(f"holding: {latest} cookie {cookies[-1]} pids {pids}; Ctrl-C to stop", flush=True)
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass

    print(f"\nGET /api/rooms/{{id}}/messages?limit=50 in a room of {args.messages:,} messages "
          f"(wrk -t2 -c{args.connections} -d{args.seconds}s, {args.rounds} rounds, median by req/s)")
    print(f"{'page':8} {'req/s':>9} {'p50':>9} {'p90':>9} {'p99':>9} {'non-2xx':>8}")
    for name, runs in results.items():
        med = sorted(runs, key=lambda x: x["rps"])[len(runs) // 2]
        print(f"{name:8} {med['rps']:9.0f} {med.get('p50', '-'):>9} {med.get('p90', '-'):>9} {med.get('p99', '-'):>9}"
              f" {med['non2xx']:>8}")
    print(f"results: {out}")


if __name__ == "__main__":
    main()
