#!/usr/bin/env python3
"""Does typing cost the chat? The fan-out of scenario A (100 rooms x 10 members, HTTP publish,
WebSocket delivery) at a fixed rate, alone and then with 1,000 more sockets whose users type
continuously (one typing frame every 3 s each, in 100 rooms of 10 of their own).

    make build
    .venv/bin/python scripts/bench/typing_load.py [--rate 2000] [--reps 3]

The typing load is a second chatbench in WebSocket mode whose frames are `{"type":"typing",...}`:
its own delivery figures mean nothing (typing frames carry no markers), only its load counts.
"""
from __future__ import annotations

import argparse
import subprocess
import time

from common import (Api, bench_stack, bench_users, chatbench, chatbench_build, median, results_dir, stop_on_sigterm,
                    wait_quiet)

ROOMS, MEMBERS, TYPISTS = 100, 10, 1000


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rate", type=float, default=2000, help="sends/s of the fan-out load")
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--duration", type=float, default=10)
    args = p.parse_args()
    stop_on_sigterm()
    tool = chatbench_build()
    out = results_dir("typing")
    with bench_stack(nginx_workers=2) as stack:
        publisher = bench_users(stack, 1, "typpub")[0]
        api = Api(stack, publisher)
        members = bench_users(stack, ROOMS * MEMBERS, "typfan")
        (out / "members.txt").write_text("\n".join(members) + "\n")
        rooms = [api.group(f"fan{r}", [f"typfan{r * MEMBERS + m + 1}" for m in range(MEMBERS)]) for r in range(ROOMS)]
        typists = bench_users(stack, TYPISTS, "typist")
        (out / "typists.txt").write_text("\n".join(typists) + "\n")
        typist_rooms = [Api(stack, typists[r * 10]).group(f"typ{r}", [f"typist{r * 10 + m + 1}" for m in range(1, 10)])
                        for r in range(TYPISTS // 10)]
        for ids in (rooms, typist_rooms):
            assert ids == list(range(ids[0], ids[0] + len(ids))), "room ids must be consecutive"
        ws = f"ws://127.0.0.1:{stack.port}/ws"
        pids = ",".join(str(stack.procs[n].pid) for n in ("nginx", "relay", "room", "auth", "redis"))
        fanout = ["--url", ws, "--cookie-file", str(out / "members.txt"), "--origin", stack.public_url, "--send", "http",
                  "--pub-url", f"http://127.0.0.1:{stack.port}/api/rooms/{{room}}/messages", "--room-base", str(rooms[0]),
                  "--pub-header", f"Cookie: {publisher}", "--pub-header", f"Origin: {stack.public_url}",
                  "--pub-header", "Content-Type: application/json", "--pub-body", '{"body":"{payload}"}', "--pub-conns", "8",
                  "--rooms", str(ROOMS), "--members", str(MEMBERS), "--server-pid", pids, "--rate", str(args.rate),
                  "--duration", str(args.duration), "--warmup", "2"]
        typing = [str(tool / "chatbench"), "--label", "typing-load", "--url", ws, "--cookie-file", str(out / "typists.txt"),
                  "--origin", stack.public_url, "--send", "ws", "--ws-template", '{"type":"typing","room_id":{room}}',
                  "--room-base", str(typist_rooms[0]), "--rooms", str(TYPISTS // 10), "--members", "10", "--senders", "10",
                  "--rate", str(TYPISTS / 3), "--duration", "100000", "--warmup", "0", "--drain", "0"]
        results: dict[str, list[dict]] = {"without": [], "with": []}
        for rep in range(args.reps):
            for mode in ("without", "with"):
                load = None
                if mode == "with":
                    load = subprocess.Popen(typing, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    time.sleep(5)  # all 1,000 typists connected and typing
                else:
                    wait_quiet(timeout=60)
                try:
                    r = chatbench(tool, fanout, f"fanout-{mode}-typing-{rep}")[-1]
                finally:
                    if load:
                        load.terminate()
                        load.wait()
                results[mode].append(r)
                print(f"{mode:7} typing: delivered {r['delivered_per_s']:8.0f}/s p50 {r['p50_ms']:6.2f} p99 {r['p99_ms']:7.2f} "
                      f"lost {r['lost']} server_cpu {r['server_cpu']:.2f}", flush=True)
    base = median([r["delivered_per_s"] for r in results["without"]])
    busy = median([r["delivered_per_s"] for r in results["with"]])
    p99 = {m: median([r["p99_ms"] for r in results[m]]) for m in results}
    print(f"\nmedian of {args.reps}: delivered {base:.0f}/s -> {busy:.0f}/s ({(busy - base) / base * 100:+.1f}%), "
          f"p99 {p99['without']:.2f} -> {p99['with']:.2f} ms")


if __name__ == "__main__":
    main()
