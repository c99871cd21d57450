#!/usr/bin/env python3
"""WebSocket fan-out, 10k connects and relay memory per idle socket: our stack against nginx + Nchan
on Redis (chatbench's reference), on the same machine, in the same run, with the same flags.

    make build
    .venv/bin/python scripts/bench/fanout.py [--scenarios A,B,C] [--reps 3] [--no-ramp] [--connect 10000]

Scenarios (chatbench README): A = 100 rooms x 10 members, B = 10 x 100, C = 1 x 1000. Each runs at a
fixed moderate rate (A 2000, B 200, C 20 sends/s) `--reps` times, ours and Nchan interleaved, and
then once with `--ramp` for the best delivered rate with p99 <= 50 ms and zero loss. Messages are
published by HTTP POST (our /api/rooms/{id}/messages as one member of every room; Nchan's /pub) and
delivered over WebSocket (our /ws with each member's session cookie; Nchan's /sub).
Then `--connect` idle sockets are opened against a freshly started relay (and a fresh Nchan), held,
and the server RSS per socket is read. Raw chatbench JSON lines go to test-output/bench/.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import threading
import time
from pathlib import Path

from common import (Api, Systems, bench_stack, bench_users, chatbench, chatbench_build, children, median, rss_kb,
                    results_dir, stop_on_sigterm, wait_quiet)

SCENARIOS = {"A": (100, 10, 2000.0), "B": (10, 100, 200.0), "C": (1, 1000, 20.0)}
NCHAN = "nchan-redis"


class Ours:
    """Our stack with one publisher and, per scenario, its own members and consecutive room ids."""

    def __init__(self, stack, out: Path):
        self.stack, self.out = stack, out
        self.publisher = bench_users(stack, 1, "fanpub")[0]
        api = Api(stack, self.publisher)
        self.rooms: dict[str, int] = {}
        for name, (rooms, members, _) in SCENARIOS.items():
            cookies = bench_users(stack, rooms * members, f"fan{name.lower()}")
            (out / f"cookies-{name}.txt").write_text("\n".join(cookies) + "\n")
            ids = [api.group(f"{name}{r}", [f"fan{name.lower()}{r * members + m + 1}" for m in range(members)])
                   for r in range(rooms)]
            if ids != list(range(ids[0], ids[0] + rooms)):
                raise RuntimeError(f"scenario {name}: room ids are not consecutive: {ids[:5]}...")
            self.rooms[name] = ids[0]

    def pids(self) -> str:
        return ",".join(str(self.stack.procs[n].pid) for n in ("nginx", "relay", "room", "auth", "redis"))

    def args(self, name: str, pub_conns: int = 8) -> list[str]:
        s, (rooms, members, _) = self.stack, SCENARIOS[name]
        return ["--url", f"ws://127.0.0.1:{s.port}/ws", "--cookie-file", str(self.out / f"cookies-{name}.txt"),
                "--origin", s.public_url, "--send", "http",
                "--pub-url", f"http://127.0.0.1:{s.port}/api/rooms/{{room}}/messages", "--room-base", str(self.rooms[name]),
                "--pub-header", f"Cookie: {self.publisher}", "--pub-header", f"Origin: {s.public_url}",
                "--pub-header", "Content-Type: application/json", "--pub-body", '{"body":"{payload}"}', "--pub-conns", str(pub_conns),
                "--rooms", str(rooms), "--members", str(members), "--server-pid", self.pids()]


def nchan_args(systems: Systems, name: str, pub_conns: int = 8) -> list[str]:
    rooms, members, _ = SCENARIOS[name]
    return ["--url", "ws://127.0.0.1:8092/sub/room{room}", "--send", "http", "--pub-url", "http://127.0.0.1:8092/pub/room{room}",
            "--pub-conns", str(pub_conns), "--rooms", str(rooms), "--members", str(members), "--server-pid", systems.pids(NCHAN)]


def record(out: Path, lines: list[dict]) -> dict:
    with open(out / "chatbench.jsonl", "a") as f:
        for line in lines:
            f.write(json.dumps(line) + "\n")
    return lines[-1]


def fixed_and_ramp(ours: Ours, systems: Systems, tool: Path, out: Path, args) -> dict:
    results: dict = {}
    for name in args.scenarios:
        rate = SCENARIOS[name][2]
        common = ["--duration", str(args.duration), "--warmup", str(args.warmup), "--threads", "1"]
        for rep in range(args.reps):
            for system in ("ours", "nchan"):
                load = wait_quiet(timeout=args.quiet_wait)
                flags = ours.args(name, args.pub_conns) if system == "ours" else nchan_args(systems, name, args.pub_conns)
                r = record(out, chatbench(tool, flags + common + ["--rate", str(rate)], f"{name}-{system}-fixed-{rep}"))
                r["load1_before"] = load
                results.setdefault((name, system, "fixed"), []).append(r)
                print(f"{name} {system:5} fixed {rate:6.0f}/s: delivered {r['delivered_per_s']:8.0f}/s p50 {r['p50_ms']:7.2f} "
                      f"p99 {r['p99_ms']:7.2f} lost {r['lost']} closed {r['err_closed']} http_err {r['err_http']} "
                      f"server_cpu {r['server_cpu']:.2f} other_cpu {r['other_cpu']:.2f} load {load:.1f}", flush=True)
        if not args.ramp:
            continue
        for system in ("ours", "nchan"):
            load = wait_quiet(timeout=args.quiet_wait)
            flags = ours.args(name, args.pub_conns) if system == "ours" else nchan_args(systems, name, args.pub_conns)
            ramp = ["--ramp", "--rate", str(rate), "--ramp-factor", "1.5", "--duration", str(args.ramp_duration),
                    "--warmup", "1", "--threads", "1"]
            lines = chatbench(tool, flags + ramp, f"{name}-{system}-ramp", timeout=3600)
            r = record(out, lines)
            r["load1_before"] = load
            r["steps"] = sum(1 for line in lines if line.get("phase") == "ramp-step")
            results[(name, system, "ramp")] = [r]
            print(f"{name} {system:5} ramp: best {r['delivered_per_s']:8.0f} delivered/s at {r['max_ok_rate']:.0f} sends/s "
                  f"(p99 {r['p99_ms']:.2f} ms), first fail {r['first_fail_rate']:.0f} sends/s, {r['steps']} steps", flush=True)
    return results


class RssWatch:
    """Samples the peak RSS of some processes (with their children) while a test runs."""

    def __init__(self, pids: dict[str, int]):
        self.pids, self.peak = pids, {k: 0 for k in pids}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def total(self, pid: int) -> int:
        return rss_kb(pid) + sum(rss_kb(c) for c in children(pid))

    def run(self) -> None:
        while not self.stop.wait(0.5):
            for k, pid in self.pids.items():
                self.peak[k] = max(self.peak[k], self.total(pid))

    def __enter__(self):
        self.before = {k: self.total(pid) for k, pid in self.pids.items()}
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def connects(stack, systems: Systems, tool: Path, out: Path, count: int, hold: float) -> dict:
    """`count` idle sockets at once against a fresh relay, then against a fresh Nchan."""
    members = 10
    rooms = count // members
    cookies = bench_users(stack, rooms * members, "conn")
    (out / "cookies-connect.txt").write_text("\n".join(cookies) + "\n")
    api = Api(stack, cookies[0])
    for r in range(rooms):  # realistic sockets: every user is in one room of ten
        first = r * members
        Api(stack, cookies[first]).group(f"c{r}", [f"conn{first + m + 1}" for m in range(1, members)])
    del api
    results = {}
    stack.kill("relay", signal.SIGTERM)
    stack.restart("relay")
    time.sleep(2)
    load = wait_quiet(timeout=60)
    pids = {n: stack.procs[n].pid for n in ("nginx", "auth", "room", "redis", "relay")}
    flags = ["--url", f"ws://127.0.0.1:{stack.port}/ws", "--cookie-file", str(out / "cookies-connect.txt"),
             "--origin", stack.public_url, "--rooms", str(rooms), "--members", str(members), "--connect-only",
             "--hold", str(hold), "--server-pid", str(pids["relay"])]
    with RssWatch(pids) as watch:
        r = record(out, chatbench(tool, flags, "connect-ours"))
    r.update(load1_before=load, rss_before_kb=watch.before, rss_peak_kb=watch.peak)
    results["ours"] = r
    systems.stop(NCHAN)
    systems.start(NCHAN, 2)
    time.sleep(1)
    load = wait_quiet(timeout=60)
    nginx = systems.pids(NCHAN).split(",")
    flags = ["--url", "ws://127.0.0.1:8092/sub/room{room}", "--rooms", str(rooms), "--members", str(members),
             "--connect-only", "--hold", str(hold), "--server-pid", ",".join(nginx[:-1])]  # nginx only, not redis
    r = record(out, chatbench(tool, flags, "connect-nchan"))
    r["load1_before"] = load
    results["nchan"] = r
    for system, r in results.items():
        print(f"connect {system:5}: {r['open_conns']}/{r['conns']} open, {r['open_after_hold']} after hold, errors "
              f"connect {r['err_connect']} handshake {r['err_handshake']} closed {r['err_closed']}; {r['connect_rate']:.0f}/s; "
              f"server RSS {r['server_rss_kb_before']} -> {r['server_rss_kb_after']} kB = "
              f"{r['server_rss_per_conn_kb'] * 1024:.0f} B/socket", flush=True)
    return results


def table(results: dict, conn: dict | None) -> str:
    rows = ["", "Fan-out (HTTP publish, WebSocket delivery; fixed rate = median of runs by delivered/s)",
            f"{'scen':4} {'system':6} {'rate/s':>7} {'deliv/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'lost':>6} "
            f"{'ramp best deliv/s':>18} {'ramp p99':>9} {'ratio':>6}"]
    for name in SCENARIOS:
        best = {}
        for system in ("ours", "nchan"):
            fixed = results.get((name, system, "fixed"))
            if not fixed:
                continue
            f = sorted(fixed, key=lambda x: x["delivered_per_s"])[len(fixed) // 2]
            ramp = results.get((name, system, "ramp"), [None])[0]
            best[system] = ramp["delivered_per_s"] if ramp and ramp["lost"] == 0 else None
            ramp_txt = f"{ramp['delivered_per_s']:18.0f} {ramp['p99_ms']:9.2f}" if ramp else f"{'-':>18} {'-':>9}"
            ratio = ""
            if system == "nchan" and best.get("ours") and best.get("nchan"):
                ratio = f"{best['ours'] / best['nchan']:6.2f}"
            rows.append(f"{name:4} {system:6} {f['rate']:7.0f} {f['delivered_per_s']:9.0f} {median([x['p50_ms'] for x in fixed]):8.2f} "
                        f"{median([x['p99_ms'] for x in fixed]):8.2f} {max(x['lost'] for x in fixed):6} {ramp_txt} {ratio:>6}")
    if conn:
        rows += ["", "Idle sockets (connect-only, held)",
                 f"{'system':6} {'open':>6} {'after hold':>10} {'errors':>7} {'conn/s':>7} {'RSS/socket':>11}"]
        for system, r in conn.items():
            errors = r["err_connect"] + r["err_handshake"] + r["err_closed"]
            rows.append(f"{system:6} {r['open_conns']:6} {r['open_after_hold']:10} {errors:7} {r['connect_rate']:7.0f} "
                        f"{r['server_rss_per_conn_kb'] * 1024:9.0f} B")
        ours = conn.get("ours")
        if ours:
            peak = ours["rss_peak_kb"]
            before = ours["rss_before_kb"]
            rows.append("ours, peak RSS growth of the other processes during the connects: " + ", ".join(
                f"{k} +{(peak[k] - before[k]) / 1024:.1f} MiB" for k in ("nginx", "auth", "room", "redis")))
    return "\n".join(rows)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scenarios", default="A,B,C")
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--duration", type=float, default=10)
    p.add_argument("--warmup", type=float, default=2)
    p.add_argument("--ramp", action=argparse.BooleanOptionalAction, default=True)
    p.add_argument("--ramp-duration", type=float, default=5)
    p.add_argument("--pub-conns", type=int, default=8,
                   help="publisher connections, the same for both systems (8: the fairness rule in README.md)")
    p.add_argument("--connect", type=int, default=10000, help="idle sockets for the connect test (0: skip)")
    p.add_argument("--hold", type=float, default=10)
    p.add_argument("--quiet-wait", type=float, default=120, help="seconds to wait for load < 0.8 before each run")
    args = p.parse_args()
    args.scenarios = [s.strip().upper() for s in args.scenarios.split(",") if s.strip()]
    stop_on_sigterm()
    tool = chatbench_build()
    out = results_dir("fanout")
    systems = Systems(tool)
    systems.stop(NCHAN)  # a leftover from an interrupted run
    results, conn = {}, None
    try:
        systems.start(NCHAN, 2)
        with bench_stack(nginx_workers=2) as stack:
            ours = Ours(stack, out)
            print(f"stack {stack.url}, rooms from {ours.rooms}; machine: {os.cpu_count()} cores, load "
                  f"{os.getloadavg()[0]:.2f}; raw lines: {out}/chatbench.jsonl", flush=True)
            if args.scenarios:
                results = fixed_and_ramp(ours, systems, tool, out, args)
            if args.connect:
                conn = connects(stack, systems, tool, out, args.connect, args.hold)
    finally:
        systems.stop(NCHAN)
    text = table(results, conn)
    (out / "table.txt").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
