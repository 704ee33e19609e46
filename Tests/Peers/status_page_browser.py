"""Drives the status page in Debian's headless chromium and reports what the page showed.

Usage: status_page_browser.py CHROMIUM URL TOKEN SIGNAL_FILE

Talks to chromium over the DevTools protocol on a pipe, so no debugging port is opened. With
--remote-debugging-pipe the browser reads commands on its fd 3 and writes responses and events
on its fd 4, each message ended by a NUL byte. Only the standard library is used.

The session, each step waiting for the DOM with a bounded deadline:
  1. open URL with no token: the token dialog shows;
  2. log in through the token form: provider rows and queue counts render from the event stream;
  3. send through the emergency form to two numbers: the result line names the broadcast;
  4. the broadcast shows in "Broadcasts in progress" with its queued count;
  5. the page's counts move to show a message sent: the script creates SIGNAL_FILE once step 4
     is seen, and the test then marks a message sent in the store.

Prints one JSON object: what each step saw, every URL the page requested, loads the page's
Content-Security-Policy blocked, script exceptions, and "error" naming the step that timed out,
if any. Exits 0 when every step completed.
Chromium is told not to contact anything: background networking, updates, sync and metrics are
off, and every host name except 127.0.0.1 resolves to nothing.
"""

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

STEP_TIMEOUT = 20.0

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--disable-breakpad",
    "--metrics-recording-only",
    "--no-pings",
    "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--remote-debugging-pipe",
]


class Timeout(Exception):
    """A step's condition did not hold before its deadline."""


class Browser:
    """One chromium process and one page session over the DevTools pipe."""

    def __init__(self, chromium, profile):
        to_browser_read, self.to_browser = os.pipe()
        self.from_browser, from_browser_write = os.pipe()

        def place_pipes():
            # The browser reads commands from fd 3 and writes responses to fd 4.
            high_read = os.dup(to_browser_read)
            high_write = os.dup(from_browser_write)
            os.dup2(high_read, 3)
            os.dup2(high_write, 4)

        self.process = subprocess.Popen(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=place_pipes,
            pass_fds=(3, 4),
            start_new_session=True,
        )
        os.close(to_browser_read)
        os.close(from_browser_write)
        self.buffer = b""
        self.next_id = 0
        self.session = None
        self.requests = []
        self.exceptions = []
        self.blocked = []

    def close(self):
        """Ends the browser and its helper processes, which share its process group."""
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        os.close(self.to_browser)
        os.close(self.from_browser)

    def command(self, method, params=None, session=True):
        """Sends one command and returns its result, handling events that arrive meanwhile."""
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + STEP_TIMEOUT
        while True:
            reply = self.read_message(deadline)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.handle_event(reply)

    def read_message(self, deadline):
        while b"\0" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Timeout("chromium sent no response within the step timeout")
            ready, _, _ = select.select([self.from_browser], [], [], remaining)
            if ready:
                chunk = os.read(self.from_browser, 65536)
                if not chunk:
                    raise RuntimeError("chromium closed its DevTools pipe")
                self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def handle_event(self, event):
        method = event.get("method")
        params = event.get("params", {})
        if method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])
        elif method == "Log.entryAdded":
            # Chromium logs each load the Content-Security-Policy blocked, so an outside
            # resource is caught here even if it never showed as a request.
            entry = params["entry"]
            if entry.get("source") in ("security", "violation") or "Content Security Policy" in entry.get("text", ""):
                self.blocked.append(entry.get("text"))
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            self.exceptions.append(details.get("exception", {}).get("description") or details.get("text"))

    def open_page(self):
        targets = self.command("Target.getTargets", session=False)["targetInfos"]
        page = next(target for target in targets if target["type"] == "page")
        attached = self.command(
            "Target.attachToTarget", {"targetId": page["targetId"], "flatten": True}, session=False
        )
        self.session = attached["sessionId"]
        self.command("Network.enable")
        self.command("Log.enable")
        self.command("Runtime.enable")
        self.command("Page.enable")

    def evaluate(self, expression):
        result = self.command("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"evaluating {expression!r}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression, step):
        """Re-evaluates `expression` every 100 ms until it is truthy, and returns that value."""
        deadline = time.monotonic() + STEP_TIMEOUT
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() >= deadline:
                raise Timeout(step)
            time.sleep(0.1)


# The text of each row of a table body, one list of cell texts per row.
ROWS = "Array.from(document.getElementById('{0}').rows).map(r => Array.from(r.cells).map(c => c.textContent))"


def session(browser, url, token, signal_file, report):
    browser.open_page()
    browser.command("Page.navigate", {"url": url})
    report["token_dialog_shown"] = browser.wait_for(
        "document.readyState === 'complete' && !document.getElementById('token-dialog').classList.contains('hidden')",
        "token dialog",
    )

    browser.evaluate(
        f"document.getElementById('token').value = {json.dumps(token)};"
        "document.getElementById('token-form').requestSubmit(); true"
    )
    browser.wait_for(
        "document.getElementById('connection').textContent.startsWith('live')"
        " && document.getElementById('providers').rows.length > 0",
        "live providers",
    )
    report["connection"] = browser.evaluate("document.getElementById('connection').textContent")
    report["providers"] = browser.evaluate(ROWS.format("providers"))
    report["queue_before"] = browser.evaluate(ROWS.format("queue"))

    browser.evaluate(
        "window.confirm = () => true;"
        "document.getElementById('numbers').value = '+447700900123\\n+447700900124';"
        "document.getElementById('text').value = 'Evacuate hall B by the east doors';"
        "document.getElementById('priority').value = 'emergency';"
        "document.getElementById('send-form').requestSubmit(); true"
    )
    report["send_result"] = browser.wait_for(
        "(t => t.startsWith('Queued') || t.startsWith('Not sent') ? t : '')"
        "(document.getElementById('send-result').textContent)",
        "send result",
    )
    report["broadcasts_queued"] = browser.wait_for(
        f"(rows => rows.some(r => (r[3] || '').includes('queued')) ? rows : null)({ROWS.format('broadcasts')})",
        "broadcast row",
    )
    report["queue_after"] = browser.evaluate(ROWS.format("queue"))
    with open(signal_file, "w", encoding="utf-8") as handle:
        handle.write("queued broadcast shown\n")
    report["broadcasts_moved"] = browser.wait_for(
        f"(rows => rows.some(r => (r[3] || '').includes('sent')) ? rows : null)({ROWS.format('broadcasts')})",
        "broadcast counts moving",
    )


def main():
    chromium, url, token, signal_file = sys.argv[1:5]
    profile = tempfile.mkdtemp(prefix="lifeline-chromium-")
    report = {}
    browser = Browser(chromium, profile)
    status = 0
    try:
        session(browser, url, token, signal_file, report)
    except (Timeout, RuntimeError, StopIteration) as error:
        report["error"] = f"{type(error).__name__}: {error}"
        status = 1
    finally:
        report["requests"] = browser.requests
        report["exceptions"] = browser.exceptions
        report["blocked_by_policy"] = browser.blocked
        browser.close()
        shutil.rmtree(profile, ignore_errors=True)
    print(json.dumps(report))
    return status


if __name__ == "__main__":
    sys.exit(main())
