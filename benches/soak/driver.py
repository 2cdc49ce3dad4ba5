#!/usr/bin/env python3
"""Mixed traffic against MCP servers for a soak test (see soak.sh).

usage: driver.py MINUTES NAME=URL:PID [NAME=URL:PID ...]

For MINUTES, several workers per server send: modern and legacy requests, JSON and
SSE responses, server-to-client elicitation on a legacy stream, bad inputs (broken
JSON, wrong media types, oversized bodies, deep nesting, bad tokens, bad headers),
idle sockets (nothing sent, half a request head, an HTTP/2 preface), and slow
readers (SSE streams read a few bytes at a time, or not at all). Every minute it
samples each server's RSS and open file descriptors. Prints one JSON summary line.
Standard library only.
"""

import json
import os
import random
import socket
import sys
import threading
import time
import urllib.parse

MODERN = "2026-07-28"
LEGACY = "2025-11-25"


def sample(pid):
    """(RSS in KiB, open fds) of a process, or (None, None) when it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
        fds = len(os.listdir(f"/proc/{pid}/fd"))
        return rss, fds
    except (OSError, StopIteration):
        return None, None


class Target:
    def __init__(self, name, url, pid):
        self.name, self.url, self.pid = name, url, int(pid)
        u = urllib.parse.urlsplit(url)
        self.host, self.port, self.path = u.hostname, u.port, u.path or "/"
        self.tools = None
        self.counts = {}
        self.lock = threading.Lock()

    def count(self, key):
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + 1


def request(t, body, headers=None, method="POST", path=None, read_limit=None, timeout=20,
            slow=False, content_type="application/json"):
    """One HTTP/1.1 request on a fresh connection: (status, body bytes)."""
    s = socket.create_connection((t.host, t.port), timeout=timeout)
    try:
        if isinstance(body, str):
            body = body.encode()
        h = {"Host": f"{t.host}:{t.port}", "Content-Length": str(len(body)),
             "Accept": "application/json, text/event-stream", "Connection": "close"}
        if content_type:
            h["Content-Type"] = content_type
        h.update(headers or {})
        head = f"{method} {path or t.path} HTTP/1.1\r\n" + "".join(
            f"{k}: {v}\r\n" for k, v in h.items()) + "\r\n"
        s.sendall(head.encode() + body)
        data = b""
        while True:
            if slow:
                time.sleep(random.uniform(0.05, 0.5))
            chunk = s.recv(16 if slow else 65536)
            if not chunk:
                break
            data += chunk
            if read_limit and len(data) >= read_limit:
                break
        head, _, rest = data.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0
        return status, rest
    finally:
        s.close()


def rpc(method, params, id_=1):
    return json.dumps({"jsonrpc": "2.0", "id": id_, "method": method, "params": params})


def meta(caps=None):
    return {"io.modelcontextprotocol/protocolVersion": MODERN,
            "io.modelcontextprotocol/clientCapabilities": caps or {}}


def modern_headers(method, name=None):
    h = {"MCP-Protocol-Version": MODERN, "Mcp-Method": method}
    if name:
        h["Mcp-Name"] = name
    return h


def arguments_for(tool):
    props = (tool.get("inputSchema") or {}).get("properties") or {}
    args = {}
    for key, schema in props.items():
        kind = schema.get("type")
        args[key] = 2 if kind in ("number", "integer") else True if kind == "boolean" else "soak"
    return args


def discover(t):
    status, body = request(t, rpc("tools/list", {"_meta": meta()}), modern_headers("tools/list"))
    tools = json.loads(body).get("result", {}).get("tools", []) if status == 200 else []
    t.tools = tools or [{"name": "echo", "inputSchema": {}}]


# Each scenario sends one exchange and returns a label for the counts.

def modern_call(t):
    tool = random.choice(t.tools)
    params = {"name": tool["name"], "arguments": arguments_for(tool), "_meta": meta()}
    if random.random() < 0.3:  # progress makes the answer an SSE stream
        params["_meta"]["progressToken"] = random.randint(1, 1 << 30)
    status, _ = request(t, rpc("tools/call", params), modern_headers("tools/call", tool["name"]))
    return f"modern tools/call {status}"


def modern_list(t):
    method = random.choice(["tools/list", "resources/list", "prompts/list", "server/discover"])
    status, _ = request(t, rpc(method, {"_meta": meta()}), modern_headers(method))
    return f"modern {method} {status}"


def legacy_session(t):
    init = {"protocolVersion": LEGACY, "capabilities": {"elicitation": {}},
            "clientInfo": {"name": "soak", "version": "1"}}
    status, _ = request(t, rpc("initialize", init, 0))
    if status != 200:
        return f"legacy initialize {status}"
    tool = random.choice(t.tools)
    # A legacy tools/call answers on an SSE stream.
    status, _ = request(t, rpc("tools/call", {"name": tool["name"], "arguments": arguments_for(tool)}, 2),
                        {"MCP-Protocol-Version": LEGACY})
    return f"legacy tools/call {status}"


def bad_input(t):
    kind = random.choice(["json", "media", "big", "deep", "method", "header", "token", "batch", "get"])
    if kind == "json":
        status, _ = request(t, '{"jsonrpc":"2.0","id":1,"method":')
    elif kind == "media":
        status, _ = request(t, rpc("ping", {}), content_type="text/plain")
    elif kind == "big":
        try:
            status, _ = request(t, "[" + "1," * (3 << 20) + "1]")
        except OSError:
            status = "connection closed before the whole body was sent"
    elif kind == "deep":
        status, _ = request(t, '{"jsonrpc":"2.0","id":1,"method":"ping","params":{"a":' + "[" * 5000 + "]" * 5000 + "}}")
    elif kind == "method":
        status, _ = request(t, rpc("nope/nope", {"_meta": meta()}), modern_headers("nope/nope"))
    elif kind == "header":
        status, _ = request(t, rpc("tools/call", {"name": "echo", "arguments": {}, "_meta": meta()}),
                            modern_headers("tools/list", "other"))
    elif kind == "token":  # a fabricated token URL (multi_tenant), an unknown path (hello_http)
        status, _ = request(t, rpc("tools/list", {"_meta": meta()}), modern_headers("tools/list"),
                            path="/mcp/mcp_" + "".join(random.choices("abcdef0123456789", k=40)))
    elif kind == "batch":
        status, _ = request(t, "[" + rpc("ping", {}) + "]")
    else:
        status, _ = request(t, "", method="GET", content_type=None)
    return f"bad {kind} {status}"


def idle_socket(t):
    """A socket that sends nothing, half a request head, or an HTTP/2 preface, then waits."""
    kind = random.choice(["silent", "half-head", "h2-preface"])
    s = socket.create_connection((t.host, t.port), timeout=90)
    try:
        if kind == "half-head":
            s.sendall(f"POST {t.path} HTTP/1.1\r\nHost: {t.host}\r\n".encode())
        elif kind == "h2-preface":
            s.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00")
        s.settimeout(random.uniform(5, 75))
        try:
            data = s.recv(1 << 16)
            outcome = "closed by server" if data == b"" else "answered by server"
        except socket.timeout:
            outcome = "still open when the client left"
        except OSError:
            outcome = "reset by server"
        return f"idle {kind} {outcome}"
    finally:
        s.close()


def slow_reader(t):
    """An SSE stream read a few bytes at a time for a while, or not read at all."""
    params = {"notifications": {"toolsListChanged": True}, "_meta": meta()}
    body = rpc("subscriptions/listen", params)
    if random.random() < 0.5:
        s = socket.create_connection((t.host, t.port), timeout=30)
        head = (f"POST {t.path} HTTP/1.1\r\nHost: {t.host}:{t.port}\r\nContent-Type: application/json\r\n"
                f"Accept: application/json, text/event-stream\r\nMCP-Protocol-Version: {MODERN}\r\n"
                f"Mcp-Method: subscriptions/listen\r\nContent-Length: {len(body)}\r\n\r\n{body}")
        s.sendall(head.encode())
        time.sleep(random.uniform(5, 40))  # never reads
        s.close()
        return "slow unread listen stream"
    try:
        request(t, body, modern_headers("subscriptions/listen"), slow=True, read_limit=400, timeout=30)
    except OSError:
        pass
    return "slow trickle-read listen stream"


SCENARIOS = [(modern_call, 30), (modern_list, 15), (legacy_session, 20), (bad_input, 15),
             (idle_socket, 3), (slow_reader, 3)]


def worker(t, deadline, kinds):
    names = [s for s, _ in kinds]
    weights = [w for _, w in kinds]
    while time.time() < deadline:
        scenario = random.choices(names, weights)[0]
        try:
            t.count(scenario(t))
        except (OSError, ValueError) as e:
            t.count(f"{scenario.__name__} error {type(e).__name__}")


def main():
    minutes = float(sys.argv[1])
    targets = []
    for arg in sys.argv[2:]:
        name, rest = arg.split("=", 1)
        url, pid = rest.rsplit(":", 1)
        targets.append(Target(name, url, pid))
    for t in targets:
        discover(t)
    deadline = time.time() + minutes * 60
    samples = {t.name: [] for t in targets}
    threads = []
    for t in targets:
        busy = [k for k in SCENARIOS if k[0] not in (idle_socket, slow_reader)]
        lazy = [(idle_socket, 1), (slow_reader, 1)]
        for kinds in [busy] * 3 + [lazy] * 2:
            th = threading.Thread(target=worker, args=(t, deadline, kinds), daemon=True)
            th.start()
            threads.append(th)
    start = time.time()
    while True:
        for t in targets:
            rss, fds = sample(t.pid)
            samples[t.name].append({"minute": round((time.time() - start) / 60, 2), "rss_kib": rss, "fds": fds})
        if time.time() >= deadline:
            break
        time.sleep(min(60, max(0, deadline - time.time())))
    for th in threads:
        th.join(timeout=120)
    # The idle sockets are gone: the end figures after a short settle.
    time.sleep(5)
    for t in targets:
        rss, fds = sample(t.pid)
        samples[t.name].append({"minute": "end+5s", "rss_kib": rss, "fds": fds})
    print(json.dumps({"targets": {t.name: {"url": t.url, "samples": samples[t.name],
                                           "requests": dict(sorted(t.counts.items()))} for t in targets}}))


if __name__ == "__main__":
    main()
