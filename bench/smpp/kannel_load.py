#!/usr/bin/env python3
"""Load generator and delivery-receipt counter for the Kannel side of the SMPP benchmark.

Sends N messages through smsbox's sendsms interface from a fixed number of client threads
(each with one keep-alive HTTP connection), requests final delivery receipts from Kannel
(dlr-mask 3: delivered or failed) with a dlr-url that points at a small HTTP counter in this
process, and waits until every message has a receipt or the deadline passes.

The time measured runs from the first sendsms request to the last receipt that Kannel
reported through the dlr-url, so it covers smsbox, bearerbox, the SMPP link, the SMSC's
receipt and Kannel's receipt handling. Peak RSS is VmHWM of the given process ids, read
before this script returns (the boxes are still running).

Everything runs on 127.0.0.1. Output: one "name: value" line per figure.
"""

import argparse
import http.client
import http.server
import sys
import threading
import time
import urllib.parse


class ReceiptCounter:
    """Counts the dlr-url hits, once per message index, and remembers the last arrival."""

    def __init__(self, expected):
        self.expected = expected
        self.lock = threading.Lock()
        self.seen = {}
        self.last = None
        self.done = threading.Event()

    def record(self, index, kind):
        with self.lock:
            if index in self.seen:
                return
            self.seen[index] = kind
            self.last = time.monotonic()
            if len(self.seen) >= self.expected:
                self.done.set()

    def counts(self):
        with self.lock:
            result = {}
            for kind in self.seen.values():
                result[kind] = result.get(kind, 0) + 1
            return result


class CounterServer(http.server.ThreadingHTTPServer):
    """Python's default listen backlog of 5 drops smsbox's bursts of new connections."""

    request_queue_size = 1024
    daemon_threads = True


def make_handler(counter):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            index = query.get("i", [""])[0]
            kind = query.get("t", [""])[0]
            if index:
                counter.record(index, kind)
            body = b"ok"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    return Handler


class Sender:
    """Sends its share of the messages over one keep-alive connection to smsbox."""

    def __init__(self, args, dlr_base, indexes, stats):
        self.args = args
        self.dlr_base = dlr_base
        self.indexes = indexes
        self.stats = stats
        self.connection = None

    def connect(self):
        self.connection = http.client.HTTPConnection("127.0.0.1", self.args.sendsms_port, timeout=30)

    def run(self):
        self.connect()
        for index in self.indexes:
            self.send(index)
        self.connection.close()

    def send(self, index):
        to = "+447700900%03d" % (index % 1000)
        dlr_url = "%s?i=%d&t=%%d" % (self.dlr_base, index)
        query = urllib.parse.urlencode({
            "username": self.args.user,
            "password": self.args.password,
            "from": "12345",
            "to": to,
            "text": self.args.text,
            "dlr-mask": "3",
            "dlr-url": dlr_url,
        })
        for _ in range(5):
            try:
                self.stats.first_send()
                self.connection.request("GET", "/cgi-bin/sendsms?" + query)
                response = self.connection.getresponse()
                response.read()
                if 200 <= response.status < 300:
                    self.stats.accepted()
                    return
                self.stats.rejected(response.status)
                time.sleep(0.05)
            except (OSError, http.client.HTTPException):
                self.connection.close()
                self.connect()
        self.stats.gave_up()


class SendStats:
    def __init__(self):
        self.lock = threading.Lock()
        self.started = None
        self.accepted_count = 0
        self.rejections = {}
        self.failed = 0
        self.last_accept = None

    def first_send(self):
        with self.lock:
            if self.started is None:
                self.started = time.monotonic()

    def accepted(self):
        with self.lock:
            self.accepted_count += 1
            self.last_accept = time.monotonic()

    def rejected(self, status):
        with self.lock:
            self.rejections[status] = self.rejections.get(status, 0) + 1

    def gave_up(self):
        with self.lock:
            self.failed += 1


def peak_rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return 0
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sendsms-port", type=int, required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--messages", type=int, required=True)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--text", required=True)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--pid", type=int, action="append", default=[], help="a Kannel box to read VmHWM from")
    args = parser.parse_args()

    counter = ReceiptCounter(args.messages)
    server = CounterServer(("127.0.0.1", 0), make_handler(counter))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    dlr_base = "http://127.0.0.1:%d/dlr" % server.server_address[1]

    stats = SendStats()
    clients = max(1, min(args.clients, args.messages))
    shares = [range(start, args.messages, clients) for start in range(clients)]
    threads = [threading.Thread(target=Sender(args, dlr_base, share, stats).run, daemon=True) for share in shares]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + args.timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    counter.done.wait(max(0.0, deadline - time.monotonic()))

    peaks = {pid: peak_rss_kib(pid) for pid in args.pid}
    server.shutdown()
    counts = counter.counts()
    received = sum(counts.values())
    delivered = counts.get("1", 0)
    print("sendsms accepted: %d of %d (rejected %s, gave up %d)" % (
        stats.accepted_count, args.messages, stats.rejections or "none", stats.failed))
    print("receipts: %s" % (", ".join("type %s: %d" % item for item in sorted(counts.items())) or "none"))
    print("delivered: %d of %d" % (delivered, args.messages))
    if stats.started is not None and stats.last_accept is not None:
        print("sendsms_seconds: %.3f" % (stats.last_accept - stats.started))
    if stats.started is not None and counter.last is not None and received:
        elapsed = counter.last - stats.started
        print("elapsed_seconds: %.3f" % elapsed)
        print("messages_per_second: %.1f" % (delivered / elapsed))
    else:
        print("messages_per_second: n/a (no receipt)")
    for pid, peak in peaks.items():
        print("peak_rss_kib_pid_%d: %d" % (pid, peak))
    print("peak_rss_kib: %d" % sum(peaks.values()))
    if not counter.done.is_set():
        print("incomplete: the deadline passed before every receipt arrived")
    return 0 if delivered == args.messages else 1


if __name__ == "__main__":
    sys.exit(main())
