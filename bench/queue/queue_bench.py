"""Queue latency and scale benchmarks for `lifeline serve`, against a minimal SMSC in this process.

Three measurements, each starting the real daemon on a fresh database in a temporary directory:

  pickup     N single sends through the HTTP API (`POST /v1/messages` on one keep-alive
             connection), then N through `lifeline send` (one process each), in turn. Each span
             ends when this script's SMSC reads the submit_sm for that recipient. For the HTTP
             sends it starts when the response (the acknowledgement: the API responds after the
             commit) arrives in this script, on the same monotonic clock as the SMSC's read. For
             the CLI sends it starts when the CLI's acknowledgement line is read (printed after
             the commit). Both are also given from the message's created_at (the wall-clock time
             intake took just before its transaction, so the span includes the commit and its
             fsync). A negative span means the daemon sent before the caller had the response.
  emergency  a bulk broadcast of B messages queued with `lifeline broadcast`; while it flows, E
             emergency sends through the HTTP API and E through `lifeline send`, alternating, each
             timed as above, with the number of bulk submit_sm that reached the SMSC after the
             emergency's claim (its `sending` event, plus 1 ms for the stored resolution) and
             before its own submit_sm: bulk messages already in flight.
  startup    a database with Q queued bulk messages written with SQL (no daemon involved); the time
             from starting `lifeline serve` to its READY=1 on a NOTIFY_SOCKET this script listens
             on, and the daemon's VmRSS (with its anonymous and file-backed parts) and VmHWM at
             READY and 5 s later, and the resident KiB of each mapped file at READY (from
             /proc/PID/smaps, the largest first; anonymous memory as "[anon]"). Runs once with Q and
             once with an empty queue for comparison.

Spans from the acknowledgement use time.monotonic in this process; spans from created_at use
the wall clock of this machine (millisecond resolution, as stored). The SMSC answers each
submit_sm at once and sends no delivery receipts. The daemon's API listens on a free port of
127.0.0.1 with one `send` token. Only 127.0.0.1 is used.

    queue_bench.py BINARY pickup [--sends N]
    queue_bench.py BINARY emergency [--bulk B] [--emergencies E]
    queue_bench.py BINARY startup [--queued Q]

Prints one JSON object on stdout.
"""

import argparse
import http.client
import json
import os
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import threading
import time

BIND_RECEIVER, BIND_TRANSMITTER, SUBMIT_SM, UNBIND, BIND_TRANSCEIVER, ENQUIRE_LINK = 0x1, 0x2, 0x4, 0x6, 0x9, 0x15
RESPONSE = 0x80000000


class SMSC:
    """A minimal SMPP 3.4 SMSC: accepts any bind, responds to enquire_link, unbind and submit_sm, and
    records (monotonic time, wall-clock time, destination_addr) for every submit_sm, in arrival order."""

    def __init__(self):
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Condition()
        self.submits = []
        self.binds = 0
        self.next_id = 1
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection):
        buffer = b""
        try:
            while True:
                data = connection.recv(65536)
                if not data:
                    return
                buffer += data
                replies = []
                while len(buffer) >= 16:
                    length, command, _, sequence = struct.unpack(">IIII", buffer[:16])
                    if len(buffer) < length:
                        break
                    body, buffer = buffer[16:length], buffer[length:]
                    replies.append(self._handle(command, sequence, body))
                out = b"".join(r for r in replies if r)
                if out:
                    connection.sendall(out)
        except OSError:
            return
        finally:
            connection.close()

    def _handle(self, command, sequence, body):
        if command in (BIND_RECEIVER, BIND_TRANSMITTER, BIND_TRANSCEIVER):
            with self.lock:
                self.binds += 1
                self.lock.notify_all()
            return pdu(command | RESPONSE, sequence, b"PYSMSC\0")
        if command == ENQUIRE_LINK or command == UNBIND:
            return pdu(command | RESPONSE, sequence, b"")
        if command == SUBMIT_SM:
            arrived = time.monotonic()
            wall = time.time()
            destination = submit_destination(body)
            with self.lock:
                message_id = self.next_id
                self.next_id += 1
                self.submits.append((arrived, destination, wall))
                self.lock.notify_all()
            return pdu(SUBMIT_SM | RESPONSE, sequence, b"%d\0" % message_id)
        if command & RESPONSE:
            return None
        return pdu(RESPONSE, sequence, b"", status=0x3)

    def wait(self, predicate, timeout):
        with self.lock:
            return self.lock.wait_for(lambda: predicate(self), timeout)


def pdu(command, sequence, body, status=0):
    return struct.pack(">IIII", 16 + len(body), command, status, sequence) + body


def submit_destination(body):
    """destination_addr of a submit_sm body: after service_type, source TON/NPI/address, dest TON/NPI."""
    position = body.index(b"\0") + 1 + 2
    position = body.index(b"\0", position) + 1 + 2
    end = body.index(b"\0", position)
    return body[position:end].decode("ascii")


class Daemon:
    """`lifeline serve` on a config in `directory`, with a NOTIFY_SOCKET this object listens on."""

    def __init__(self, binary, directory, port):
        self.binary = binary
        self.directory = directory
        self.config = os.path.join(directory, "lifeline.yaml")
        self.database = os.path.join(directory, "lifeline.db")
        self.http_port = free_port()
        self.api = None
        with open(os.path.join(directory, "smpp.password"), "w") as file:
            file.write("secret")
        os.chmod(os.path.join(directory, "smpp.password"), 0o600)
        with open(self.config, "w") as file:
            file.write(
                f"database: {self.database}\nlog_level: warning\ndefault_region: GB\n"
                "providers:\n  - id: carrier\n    type: smpp\n    host: 127.0.0.1\n"
                f"    port: {port}\n    system_id: lifeline\n"
                f"    password_file: {directory}/smpp.password\n    window: 10\n"
                f"http:\n  listen: 127.0.0.1:{self.http_port}\n"
                f"api_tokens:\n  - {{name: bench, role: send, token: {API_TOKEN}}}\n"
            )
        self.notify_path = os.path.join(directory, "notify.sock")
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(self.notify_path)
        self.process = None

    def start(self):
        """Starts the daemon and returns the seconds until READY=1 (at most 120 s)."""
        environment = dict(os.environ, NOTIFY_SOCKET=self.notify_path)
        log = open(os.path.join(self.directory, "daemon.log"), "w")
        started = time.monotonic()
        self.process = subprocess.Popen(
            [self.binary, "serve", "--config", self.config],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=environment,
        )
        self.notify.settimeout(120)
        while True:
            message = self.notify.recv(4096).decode()
            if "READY=1" in message.split("\n"):
                return time.monotonic() - started

    def memory_kib(self):
        """VmRSS, VmHWM, RssAnon (heap and stacks) and RssFile (mapped libraries) of the daemon in KiB."""
        values = {}
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                key, _, rest = line.partition(":")
                if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
                    values[key] = int(rest.split()[0])
        return values

    def mappings_kib(self, largest=12):
        """Resident KiB per mapped file (and "[anon]" for every mapping without one), largest first."""
        totals = {}
        name = "[anon]"
        with open(f"/proc/{self.process.pid}/smaps") as smaps:
            for line in smaps:
                fields = line.split()
                if "-" in fields[0] and len(fields) >= 5 and ":" in fields[3]:
                    path = fields[5] if len(fields) > 5 else ""
                    name = os.path.basename(path) if path.startswith("/") else "[anon]"
                elif fields[0] == "Rss:":
                    totals[name] = totals.get(name, 0) + int(fields[1])
        ordered = sorted(totals.items(), key=lambda item: -item[1])
        return dict(ordered[:largest])

    def stop(self):
        if self.api is not None:
            self.api.close()
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def cli(self, *arguments):
        return subprocess.run([self.binary, *arguments, "--config", self.config], capture_output=True, text=True, check=True)


API_TOKEN = "bench-token-0123456789abcdef"


def free_port():
    """Returns a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def api_send(daemon, recipient, priority):
    """POSTs one message to the daemon's API on a kept-alive connection; returns the monotonic
    time at which the response (status line and headers) was read."""
    if daemon.api is None:
        daemon.api = http.client.HTTPConnection("127.0.0.1", daemon.http_port, timeout=30)
    body = json.dumps({"to": recipient, "text": "Bench", "priority": priority})
    headers = {"Authorization": f"Bearer {API_TOKEN}", "Content-Type": "application/json"}
    daemon.api.request("POST", "/v1/messages", body=body, headers=headers)
    response = daemon.api.getresponse()
    acknowledged = time.monotonic()
    content = response.read()
    if response.status != 201:
        raise RuntimeError(f"POST /v1/messages failed: status {response.status}, body {content[:300]!r}")
    return acknowledged


def timed_send(daemon, recipient, priority):
    """Runs `lifeline send`; returns the monotonic time at which its acknowledgement line was read."""
    process = subprocess.Popen(
        [daemon.binary, "send", "--config", daemon.config, "--to", recipient, "--text", "Bench", "--priority", priority],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    line = process.stdout.readline()
    acknowledged = time.monotonic()
    process.wait()
    if process.returncode != 0 or not line.startswith("Queued message"):
        raise RuntimeError(f"send failed: {line} {process.stderr.read()}")
    return acknowledged


def percentiles(values):
    ordered = sorted(values)

    def at(fraction):
        return round(ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000, 2)

    return {"count": len(ordered), "min_ms": at(0), "p50_ms": at(0.5), "p90_ms": at(0.9), "p99_ms": at(0.99), "max_ms": at(1.0)}


def created_at(database, recipient):
    """Returns the created_at of the newest message to `recipient`, in seconds since the epoch."""
    return stages(database, recipient)[0]


def stages(database, recipient):
    """created_at, the first claim (event `sending`) and the first attempt's start of the newest
    message to `recipient`, in seconds since the epoch (millisecond resolution)."""
    connection = sqlite3.connect(database)
    try:
        row = connection.execute(
            """
            SELECT q.created_at,
                   (SELECT MIN(at) FROM sms_events WHERE message_id = q.id AND state = 'sending'),
                   (SELECT MIN(started_at) FROM sms_attempts WHERE message_id = q.id)
            FROM sms_queue q WHERE recipient = ? ORDER BY id DESC LIMIT 1
            """,
            (recipient,),
        ).fetchone()
    finally:
        connection.close()
    return tuple(value / 1000 if value is not None else None for value in row)


def submit_of(smsc, recipient, start):
    """Index, monotonic and wall-clock time of the first submit_sm to `recipient` from index `start`."""
    digits = recipient[1:]
    if not smsc.wait(lambda s: any(d == digits for _, d, _ in s.submits[start:]), 30):
        raise RuntimeError(f"no submit_sm for {recipient}")
    with smsc.lock:
        return next((i, t, w) for i, (t, d, w) in enumerate(smsc.submits) if i >= start and d == digits)


def pickup(binary, sends):
    smsc = SMSC()
    senders = {"http": api_send, "cli": timed_send}
    spans = {via: {"from_commit": [], "from_ack": []} for via in senders}
    parts = {"created_to_claim": [], "claim_to_attempt": [], "attempt_to_submit": []}
    with tempfile.TemporaryDirectory(prefix="lifeline-bench-") as directory:
        daemon = Daemon(binary, directory, smsc.port)
        try:
            daemon.start()
            for offset, (via, send) in enumerate(senders.items()):
                for index in range(sends):
                    recipient = "+447700%06d" % (900000 + offset * sends + index)
                    with smsc.lock:
                        start = len(smsc.submits)
                    acknowledged = send(daemon, recipient, "normal")
                    _, arrived, wall = submit_of(smsc, recipient, start)
                    created, claimed, attempted = stages(daemon.database, recipient)
                    spans[via]["from_ack"].append(arrived - acknowledged)
                    spans[via]["from_commit"].append(wall - created)
                    parts["created_to_claim"].append(claimed - created)
                    parts["claim_to_attempt"].append(attempted - claimed)
                    parts["attempt_to_submit"].append(wall - attempted)
        finally:
            daemon.stop()
    http_spans, cli_spans = spans["http"], spans["cli"]
    return {
        "benchmark": "pickup", "sends_each": sends,
        "http_from_response": percentiles(http_spans["from_ack"]),
        "http_from_created_at": percentiles(http_spans["from_commit"]),
        "http_submit_before_response": sum(1 for value in http_spans["from_ack"] if value < 0),
        "cli_from_ack_printed": percentiles(cli_spans["from_ack"]),
        "cli_from_created_at": percentiles(cli_spans["from_commit"]),
        "cli_submit_before_ack_printed": sum(1 for value in cli_spans["from_ack"] if value < 0),
        "parts_p50_ms": {name: percentiles(values)["p50_ms"] for name, values in parts.items()},
        "parts_p90_ms": {name: percentiles(values)["p90_ms"] for name, values in parts.items()},
    }


def emergency(binary, bulk, emergencies):
    smsc = SMSC()
    senders = {"http": api_send, "cli": timed_send}
    spans = {via: {"from_commit": [], "from_ack": []} for via in senders}
    overtaken, bulk_left = [], []
    with tempfile.TemporaryDirectory(prefix="lifeline-bench-") as directory:
        daemon = Daemon(binary, directory, smsc.port)
        try:
            daemon.start()
            csv = os.path.join(directory, "bulk.csv")
            with open(csv, "w") as file:
                file.write("number\n")
                for index in range(bulk):
                    file.write("+44770%07d\n" % (1000000 + index))
            daemon.cli("broadcast", "--to-file", csv, "--text", "Bulk bench", "--priority", "bulk")
            smsc.wait(lambda s: len(s.submits) >= bulk // 10, 120)
            # The two kinds of send alternate, so both meet the bulk send at every stage.
            order = [via for _ in range(emergencies) for via in senders]
            for sent, via in enumerate(order, start=1):
                recipient = "+447700%06d" % (990000 + sent)
                with smsc.lock:
                    start = len(smsc.submits)
                acknowledged = senders[via](daemon, recipient, "emergency")
                position, arrived, wall = submit_of(smsc, recipient, start)
                created, claimed, _ = stages(daemon.database, recipient)
                with smsc.lock:
                    overtaken.append(sum(1 for _, _, w in smsc.submits[start:position] if w > claimed + 0.001))
                    bulk_left.append(bulk + sent - len(smsc.submits))
                spans[via]["from_ack"].append(arrived - acknowledged)
                spans[via]["from_commit"].append(wall - created)
                time.sleep(0.05)
            sent = len(order)
            smsc.wait(lambda s: len(s.submits) >= bulk + sent, 300)
            total = len(smsc.submits)
        finally:
            daemon.stop()
    return {
        "benchmark": "emergency", "bulk": bulk, "emergencies_each": emergencies,
        "http_from_response": percentiles(spans["http"]["from_ack"]),
        "http_from_created_at": percentiles(spans["http"]["from_commit"]),
        "cli_from_ack_printed": percentiles(spans["cli"]["from_ack"]),
        "cli_from_created_at": percentiles(spans["cli"]["from_commit"]),
        "bulk_submits_after_claim_before_emergency": {"max": max(overtaken), "mean": round(sum(overtaken) / len(overtaken), 2)},
        "bulk_not_yet_submitted_at_each_emergency": {"min": min(bulk_left), "max": max(bulk_left)},
        "submits_received": total,
    }


def fill_queue(database, queued):
    """Queues `queued` bulk messages with one SQL statement, on a schema the CLI created."""
    connection = sqlite3.connect(database)
    now = int(time.time() * 1000)
    connection.execute(
        """
        WITH RECURSIVE n(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM n WHERE x + 1 < ?)
        INSERT INTO sms_queue (recipient, text, priority, state, attempts, created_at, updated_at)
        SELECT printf('+447700%06d', 900000 + x % 1000), 'Lifeline bench: drill at 10:00, assemble in Hall B.', 3,
               'queued', 0, ?, ? FROM n
        """,
        (queued, now, now),
    )
    connection.commit()
    connection.close()


def startup_once(binary, queued):
    smsc = SMSC()
    with tempfile.TemporaryDirectory(prefix="lifeline-bench-") as directory:
        daemon = Daemon(binary, directory, smsc.port)
        try:
            prepare = subprocess.run(
                [binary, "send", "--config", daemon.config, "--to", "+447700900000", "--text", "schema"],
                capture_output=True, text=True,
            )
            if prepare.returncode != 0:
                raise RuntimeError(prepare.stderr)
            connection = sqlite3.connect(daemon.database)
            connection.execute("DELETE FROM sms_queue")
            connection.commit()
            connection.close()
            filled = time.monotonic()
            if queued:
                fill_queue(daemon.database, queued)
            fill_seconds = time.monotonic() - filled
            size_mib = os.path.getsize(daemon.database) / 1048576
            ready = daemon.start()
            at_ready = daemon.memory_kib()
            mappings = daemon.mappings_kib()
            time.sleep(5)
            later = daemon.memory_kib()
            sent_in_5s = len(smsc.submits)
        finally:
            daemon.stop()
    return {
        "queued": queued, "database_mib": round(size_mib, 1), "fill_seconds": round(fill_seconds, 1),
        "ready_seconds": round(ready, 3), "rss_kib_at_ready": at_ready["VmRSS"],
        "anon_kib_at_ready": at_ready["RssAnon"], "file_kib_at_ready": at_ready["RssFile"], "rss_kib_5s_later": later["VmRSS"],
        "anon_kib_5s_later": later["RssAnon"], "file_kib_5s_later": later["RssFile"],
        "peak_rss_kib_5s_later": later["VmHWM"], "submits_in_first_5s": sent_in_5s,
        "rss_kib_by_mapping_at_ready": mappings,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binary")
    parser.add_argument("kind", choices=["pickup", "emergency", "startup"])
    parser.add_argument("--sends", type=int, default=300)
    parser.add_argument("--bulk", type=int, default=30000)
    parser.add_argument("--emergencies", type=int, default=20)
    parser.add_argument("--queued", type=int, default=1_000_000)
    arguments = parser.parse_args()
    if arguments.kind == "pickup":
        result = pickup(arguments.binary, arguments.sends)
    elif arguments.kind == "emergency":
        result = emergency(arguments.binary, arguments.bulk, arguments.emergencies)
    else:
        result = {"benchmark": "startup", "runs": [startup_once(arguments.binary, 0), startup_once(arguments.binary, arguments.queued)]}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
