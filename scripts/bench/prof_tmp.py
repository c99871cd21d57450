import os, subprocess, sys, time, signal
sys.path.insert(0, os.path.dirname(__file__))
from common_tmp import Api, bench_stack, bench_users, chatbench, chatbench_build
tool = chatbench_build()
scen = sys.argv[1]; rooms, members, rate = {"A": (100, 10, 2000), "C": (1, 1000, 40)}[scen]
rate = float(sys.argv[2]) if len(sys.argv) > 2 else rate
with bench_stack(nginx_workers=2) as stack:
    pub = bench_users(stack, 1, "pubx")[0]
    api = Api(stack, pub)
    cookies = bench_users(stack, rooms * members, "mem")
    open("/tmp/prof/cookies.txt", "w").write("\n".join(cookies) + "\n")
    ids = [api.group(f"r{r}", [f"mem{r * members + m + 1}" for m in range(members)]) for r in range(rooms)]
    pids = ",".join(str(stack.procs[n].pid) for n in ("nginx", "relay", "room", "auth", "redis"))
    args = ["--url", f"ws://127.0.0.1:{stack.port}/ws", "--cookie-file", "/tmp/prof/cookies.txt", "--origin", stack.public_url,
            "--send", "http", "--pub-url", f"http://127.0.0.1:{stack.port}/api/rooms/{{room}}/messages", "--room-base", str(ids[0]),
            "--pub-header", f"Cookie: {pub}", "--pub-header", f"Origin: {stack.public_url}", "--pub-header", "Content-Type: application/json",
            "--pub-body", '{"body":"{payload}"}', "--pub-conns", "8", "--rooms", str(rooms), "--members", str(members),
            "--server-pid", pids, "--rate", str(rate), "--duration", "12", "--warmup", "2"]
    perf = subprocess.Popen(["perf", "record", "-F", "499", "-a", "-g", "-o", "/tmp/prof/perf.data", "--", "sleep", "10"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) if os.environ.get("PERF") else None
    r = chatbench(tool, args, f"{scen}-prof")[-1]
    if perf: perf.wait()
    print({k: r.get(k) for k in ("rate", "delivered_per_s", "p50_ms", "p99_ms", "lost", "server_cpu", "other_cpu", "err_http")})
