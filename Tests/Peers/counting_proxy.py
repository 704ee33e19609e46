#!/usr/bin/env python3
"""A small HTTP proxy on 127.0.0.1 that counts what it forwards, for Lifeline's proxy tests.

It forwards absolute-form requests (POST http://127.0.0.1:PORT/path) to their target, and tunnels
CONNECT requests, but only to 127.0.0.1: any other target gets 403 and is not contacted. Each
forwarded request and each tunnel is counted, with its target and whether it carried the
expected Proxy-Authorization (when --user and --password are given, a request without it gets
407). With --refuse-connect STATUS every CONNECT is answered with that status (403, say) after
the credentials check, recorded as not forwarded, and its target is never contacted. An
origin-form GET /_proxy/requests, sent to the proxy itself, returns the records as JSON.

Usage: counting_proxy.py [--lifetime SECONDS] [--user USER --password PASSWORD] [--refuse-connect STATUS]
The first line on stdout is the bound port. The proxy exits when stdin closes or after
--lifetime seconds (default 120).
"""

import argparse
import base64
import json
import os
import select
import socket
import socketserver
import sys
import threading
import urllib.parse

MAX_HEAD = 65536
IDLE_SECONDS = 30


class Proxy(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, args):
        super().__init__(("127.0.0.1", 0), Handler)
        self.args = args
        self.lock = threading.Lock()
        self.records = []

    def record(self, entry):
        with self.lock:
            self.records.append(entry)

    def auth_state(self, header):
        if not self.args.user:
            return "not required"
        if header is None:
            return "missing"
        expected = "Basic " + base64.b64encode(f"{self.args.user}:{self.args.password}".encode()).decode()
        return "ok" if header.strip() == expected else "wrong"


def read_head(sock):
    """Reads up to the blank line; returns (head bytes, bytes read past it) or (None, b"")."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk or len(data) > MAX_HEAD:
            return None, b""
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def parse_head(head):
    lines = head.decode("latin-1").split("\r\n")
    method, target, version = lines[0].split(" ", 2)
    headers = []
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.append((name.strip(), value.strip()))
    return method, target, version, headers


def header(headers, name):
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


def reply(sock, status, text, body=b"", content_type="text/plain"):
    sock.sendall(
        f"HTTP/1.1 {status} {text}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
        f"Connection: close\r\n\r\n".encode()
        + body
    )


def pump(left, right):
    """Copies bytes both ways until either side closes or both stay idle for IDLE_SECONDS."""
    sockets = [left, right]
    while True:
        readable, _, _ = select.select(sockets, [], [], IDLE_SECONDS)
        if not readable:
            return
        for sock in readable:
            data = sock.recv(65536)
            if not data:
                return
            (right if sock is left else left).sendall(data)


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        client = self.request
        head, rest = read_head(client)
        if head is None:
            return
        method, target, _, headers = parse_head(head)
        proxy = self.server

        if method == "GET" and target == "/_proxy/requests":
            with proxy.lock:
                body = json.dumps(proxy.records).encode()
            reply(client, 200, "OK", body, "application/json")
            return

        auth = proxy.auth_state(header(headers, "proxy-authorization"))
        if method == "CONNECT":
            host, _, port = target.rpartition(":")
        else:
            parsed = urllib.parse.urlsplit(target)
            host, port = parsed.hostname, parsed.port or 80
        if host != "127.0.0.1":
            reply(client, 403, "Forbidden", b"this proxy reaches 127.0.0.1 only\n")
            return
        if auth in ("missing", "wrong"):
            client.sendall(
                b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\n"
                b"Content-Length: 0\r\nConnection: close\r\n\r\n"
            )
            proxy.record({"method": method, "target": target, "auth": auth, "forwarded": False})
            return

        if method == "CONNECT" and proxy.args.refuse_connect:
            status = proxy.args.refuse_connect
            reply(client, status, "Refused", b"this proxy refuses CONNECT\n")
            proxy.record({"method": method, "target": target, "auth": auth, "forwarded": False})
            return

        upstream = socket.create_connection(("127.0.0.1", int(port)), timeout=10)
        with upstream:
            proxy.record({"method": method, "target": target, "auth": auth, "forwarded": True})
            if method == "CONNECT":
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                if rest:
                    upstream.sendall(rest)
                pump(client, upstream)
                return
            self.forward(client, upstream, method, target, headers, rest)

    def forward(self, client, upstream, method, target, headers, rest):
        parsed = urllib.parse.urlsplit(target)
        path = parsed.path or "/"
        if parsed.query:
            path += "?" + parsed.query
        length = int(header(headers, "content-length") or 0)
        body = rest
        while len(body) < length:
            chunk = client.recv(65536)
            if not chunk:
                break
            body += chunk
        forwarded_headers = [
            (name, value)
            for name, value in headers
            if name.lower() not in ("proxy-authorization", "proxy-connection", "connection", "keep-alive")
        ]
        lines = [f"{method} {path} HTTP/1.1"] + [f"{name}: {value}" for name, value in forwarded_headers] + ["Connection: close"]
        upstream.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body[:length])

        response_head, response_rest = read_head(upstream)
        if response_head is None:
            reply(client, 502, "Bad Gateway", b"the upstream closed without a response\n")
            return
        status_line, *response_lines = response_head.decode("latin-1").split("\r\n")
        response_headers = [line for line in response_lines if line.split(":", 1)[0].strip().lower() not in ("connection", "keep-alive")]
        client.sendall(("\r\n".join([status_line] + response_headers + ["Connection: close"]) + "\r\n\r\n").encode("latin-1"))
        declared = [line.split(":", 1)[1] for line in response_lines if line.lower().startswith("content-length:")]
        remaining = int(declared[0]) if declared else None
        if response_rest:
            client.sendall(response_rest)
            if remaining is not None:
                remaining -= len(response_rest)
        while remaining is None or remaining > 0:
            chunk = upstream.recv(65536)
            if not chunk:
                break
            client.sendall(chunk)
            if remaining is not None:
                remaining -= len(chunk)


def exit_when_stdin_closes():
    sys.stdin.read()
    os._exit(0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lifetime", type=float, default=120.0)
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--refuse-connect", type=int, metavar="STATUS")
    args = parser.parse_args()
    server = Proxy(args)
    print(server.server_address[1])
    sys.stdout.flush()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    threading.Event().wait(args.lifetime)
    os._exit(0)


if __name__ == "__main__":
    main()
