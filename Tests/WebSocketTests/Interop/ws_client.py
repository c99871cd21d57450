"""Independent WebSocket client for the interop tests: the `websockets` library where it can
say what we need, raw sockets for frames a correct client never sends.

Usage: python3 ws_client.py PORT SCENARIO  ->  prints one JSON object with what it saw.
The server under test echoes text, answers "broadcast:<text>" by sending <text> to every open
socket, answers "flood" by sending 64 KiB messages until the socket refuses them, greets each socket with "hello", pings every 0.3 s and closes after 1 s of silence.
"""
import asyncio
import base64
import json
import os
import socket
import struct
import sys

import websockets
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

PORT = int(sys.argv[1])
URL = f"ws://127.0.0.1:{PORT}/ws"


async def echo():
    out = {}
    async with connect(URL, max_size=2**20) as ws:
        out["greeting"] = await ws.recv()
        await ws.send("hello, wörld ✓")
        out["echo"] = await ws.recv()
        await ws.send(["frag", "men", "ted"])  # one message in three frames
        out["fragmented"] = await ws.recv()
        big = "x" * 4096
        await ws.send(big)
        out["max_size_ok"] = (await ws.recv()) == big
        pong = await ws.ping(b"probe")
        latency = await asyncio.wait_for(pong, 5)
        out["pong"] = latency >= 0
        await ws.close(1000, "bye")
        out["close_code"] = ws.close_code
        out["close_code_sent_back"] = ws.protocol.close_rcvd.code if ws.protocol.close_rcvd else None
    return out


async def too_big():
    async with connect(URL, max_size=2**20) as ws:
        await ws.recv()
        await ws.send("y" * 5000)
        try:
            await asyncio.wait_for(ws.recv(), 5)
            return {"closed": False}
        except ConnectionClosed as e:
            return {"closed": True, "code": e.rcvd.code if e.rcvd else None}


async def binary_refused():
    async with connect(URL) as ws:
        await ws.recv()
        await ws.send(b"\x00\x01")
        try:
            await asyncio.wait_for(ws.recv(), 5)
            return {"closed": False}
        except ConnectionClosed as e:
            return {"closed": True, "code": e.rcvd.code if e.rcvd else None}


async def broadcast():
    sockets = [await connect(URL) for _ in range(5)]
    for ws in sockets:
        assert await ws.recv() == "hello"
    await sockets[0].send("broadcast:to everyone")
    got = [await asyncio.wait_for(ws.recv(), 5) for ws in sockets]
    for ws in sockets:
        await ws.close()
    return {"received": got}


# --- raw sockets -------------------------------------------------------------

def raw_connect():
    s = socket.create_connection(("127.0.0.1", PORT), timeout=5)
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall((f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{PORT}\r\nUpgrade: websocket\r\n"
               f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = s.recv(1)
        if not chunk:
            raise RuntimeError("closed during handshake")
        head += chunk
    assert head.startswith(b"HTTP/1.1 101"), head
    return s


def read_exact(s, n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def read_frame(s):
    b0, b1 = read_exact(s, 2)
    n = b1 & 0x7F
    if n == 126:
        n = struct.unpack("!H", read_exact(s, 2))[0]
    elif n == 127:
        n = struct.unpack("!Q", read_exact(s, 8))[0]
    assert b1 & 0x80 == 0, "server frames must not be masked"
    return b0 & 0x0F, read_exact(s, n)


def masked(opcode, payload, fin=True, rsv=0):
    mask = os.urandom(4)
    head = bytes([(0x80 if fin else 0) | rsv | opcode])
    n = len(payload)
    head += bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack("!H", n)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def close_after(send):
    """Sends bytes after the greeting; returns the close code the server answers with and
    whether it then closed the TCP connection."""
    s = raw_connect()
    assert read_frame(s) == (1, b"hello")
    s.sendall(send)
    while True:
        opcode, payload = read_frame(s)
        if opcode == 8:
            code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
            break
    try:
        eof = s.recv(1) == b""
    except (ConnectionResetError, socket.timeout):
        eof = False
    return {"code": code, "tcp_closed": eof}


def protocol_errors():
    unmasked = bytes([0x81, 0x02]) + b"hi"
    return {
        "unmasked": close_after(unmasked),
        "rsv": close_after(masked(1, b"hi", rsv=0x40)),
        "opcode": close_after(masked(3, b"")),
        "continuation": close_after(masked(0, b"x")),
        "long_ping": close_after(masked(9, b"p" * 126)),
        "bad_utf8": close_after(masked(1, b"\xce", fin=False) + masked(0, b"\xba\xff")),
    }


def server_ping_and_idle():
    """Reads without answering: the server pings, then closes the silent socket with 1001."""
    s = raw_connect()
    seen = []
    while True:
        opcode, payload = read_frame(s)
        seen.append(opcode)
        if opcode == 8:
            return {"pings": seen.count(9), "close_code": struct.unpack("!H", payload[:2])[0]}


def slow_reader():
    """Asks for a flood and does not read: the server must drop the socket, not buffer forever."""
    s = raw_connect()
    assert read_frame(s) == (1, b"hello")
    s.sendall(masked(1, b"flood"))
    import time
    time.sleep(1.5)
    received = 0
    try:
        while True:
            chunk = s.recv(1 << 16)
            if not chunk:
                break
            received += len(chunk)
    except (ConnectionResetError, socket.timeout):
        pass
    return {"dropped": True, "received_bytes": received}


SCENARIOS = {
    "echo": echo, "too_big": too_big, "binary_refused": binary_refused, "broadcast": broadcast,
    "protocol_errors": protocol_errors, "server_ping_and_idle": server_ping_and_idle,
    "slow_reader": slow_reader,
}

if __name__ == "__main__":
    fn = SCENARIOS[sys.argv[2]]
    result = asyncio.run(fn()) if asyncio.iscoroutinefunction(fn) else fn()
    print(json.dumps(result))
