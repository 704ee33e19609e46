/// The status page served at `/`: one HTML document with its CSS and JavaScript inline, so it
/// works on a box with no internet access.
///
/// The page asks for an API token (admin, so that the send form works too) and keeps it in
/// `sessionStorage`, which the browser clears when the tab closes. It reads `/v1/events` with
/// `fetch` rather than `EventSource`, because only `fetch` can send the bearer token, and
/// renders each snapshot: providers with health and breaker, queue depth, recent failures, and
/// broadcasts in progress with live counts and the estimated time left. The emergency form posts
/// to `/v1/broadcasts`.
/// Data from the server reaches the page through `textContent` only, never as markup.
enum StatusPage {
    /// The page with headers that keep it out of caches and frames and forbid loading from elsewhere.
    static var response: HTTPResponse {
        HTTPResponse(
            status: 200,
            contentType: "text/html; charset=utf-8",
            text: html,
            headers: [
                HTTPField(name: "Cache-Control", value: "no-store"),
                HTTPField(
                    name: "Content-Security-Policy",
                    value: "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                        + "connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
                ),
                HTTPField(name: "X-Content-Type-Options", value: "nosniff"),
                HTTPField(name: "Referrer-Policy", value: "no-referrer"),
            ]
        )
    }

    static let html = #"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Lifeline status</title>
        <style>
        :root { --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --muted: #57606a; --line: #d0d7de; }
        * { box-sizing: border-box; }
        body { font: 15px/1.4 system-ui, sans-serif; margin: 0; color: #1f2328; background: #f6f8fa; }
        header { background: #24292f; color: #fff; padding: 0.6em 1em; display: flex; gap: 1em; align-items: center; }
        header h1 { font-size: 1.2em; margin: 0; flex: 1; }
        main { display: grid; gap: 1em; padding: 1em; grid-template-columns: repeat(auto-fit, minmax(22em, 1fr)); }
        section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 0.8em 1em; }
        section.wide { grid-column: 1 / -1; }
        h2 { font-size: 1em; margin: 0 0 0.5em; }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; padding: 0.25em 0.5em; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { color: var(--muted); font-weight: 600; }
        .ok { color: var(--ok); } .warn { color: var(--warn); } .bad { color: var(--bad); } .muted { color: var(--muted); }
        .bar { background: #eaeef2; height: 0.6em; border-radius: 3px; overflow: hidden; display: flex; }
        .bar span { display: block; height: 100%; }
        .bar .delivered { background: var(--ok); } .bar .sent { background: #54aeff; }
        .bar .failed { background: var(--bad); } .bar .cancelled { background: #8c959f; }
        form label { display: block; margin: 0.4em 0 0.2em; font-weight: 600; }
        textarea, input, select { width: 100%; font: inherit; padding: 0.3em; }
        button { font: inherit; padding: 0.35em 0.9em; margin-top: 0.6em; cursor: pointer; }
        button.danger { background: var(--bad); color: #fff; border: 0; border-radius: 4px; }
        #connection { font-size: 0.9em; }
        #token-dialog { max-width: 28em; margin: 3em auto; }
        .hidden { display: none; }
        pre { white-space: pre-wrap; margin: 0.5em 0 0; }
        </style>
        </head>
        <body>
        <header><h1>Lifeline</h1><span id="connection">not connected</span><button id="forget" type="button">Forget token</button></header>
        <section id="token-dialog" class="hidden">
          <h2>API token</h2>
          <p class="muted">Enter an admin token from the config's api_tokens. It is kept in this tab only.</p>
          <form id="token-form"><input id="token" type="password" autocomplete="off" required>
          <button type="submit">Connect</button></form>
        </section>
        <main id="dashboard" class="hidden">
          <section><h2>Providers</h2>
            <table><thead><tr><th>Provider</th><th>Health</th><th>Breaker</th><th>In flight</th></tr></thead>
            <tbody id="providers"></tbody></table></section>
          <section><h2>Queue</h2>
            <table><thead><tr><th>Priority</th><th>Waiting</th></tr></thead><tbody id="queue"></tbody></table></section>
          <section class="wide"><h2>Broadcasts in progress</h2>
            <table><thead><tr><th>Id</th><th>Name</th><th>Progress</th><th>Counts</th><th></th></tr></thead>
            <tbody id="broadcasts"></tbody></table></section>
          <section class="wide"><h2>Recent failures</h2>
            <table><thead><tr><th>Message</th><th>State</th><th>Provider</th><th>Reason</th><th>Time</th></tr></thead>
            <tbody id="failures"></tbody></table></section>
          <section class="wide"><h2>Send an emergency message</h2>
            <form id="send-form">
              <label for="numbers">Numbers, one per line or separated by commas</label>
              <textarea id="numbers" rows="4" required></textarea>
              <label for="text">Text</label>
              <textarea id="text" rows="3" required></textarea>
              <label for="priority">Priority</label>
              <select id="priority"><option>emergency</option><option>high</option><option>normal</option><option>bulk</option></select>
              <button class="danger" type="submit">Send to all</button>
            </form>
            <pre id="send-result"></pre>
          </section>
        </main>
        <script>
        "use strict";
        const tokenKey = "lifeline.token";
        const $ = (id) => document.getElementById(id);
        let controller = null;
        let retryTimer = null;

        function token() { return sessionStorage.getItem(tokenKey); }
        function headers() { return { "Authorization": "Bearer " + token(), "Content-Type": "application/json" }; }

        function cell(row, text, className) {
          const td = document.createElement("td");
          td.textContent = text === undefined || text === null ? "" : String(text);
          if (className) td.className = className;
          row.appendChild(td);
          return td;
        }

        function replaceRows(body, rows) {
          body.replaceChildren(...rows);
          if (rows.length === 0) {
            const row = document.createElement("tr");
            cell(row, "none", "muted").colSpan = 5;
            body.appendChild(row);
          }
        }

        function renderProviders(providers) {
          replaceRows($("providers"), providers.map((p) => {
            const row = document.createElement("tr");
            cell(row, p.id + (p.type ? " (" + p.type + ")" : ""));
            cell(row, p.health, p.health === "healthy" ? "ok" : "bad");
            const breakerClass = p.breaker === "closed" ? "ok" : p.breaker === "open" ? "bad" : "warn";
            const until = p.breaker_open_until ? " until " + new Date(p.breaker_open_until).toLocaleTimeString() : "";
            cell(row, p.breaker.replace("_", "-") + until, breakerClass);
            cell(row, p.sends_in_flight + " / " + p.max_concurrent_sends);
            return row;
          }));
        }

        function renderQueue(queue) {
          const names = ["emergency", "high", "normal", "bulk"];
          const rows = names.map((name) => {
            const row = document.createElement("tr");
            cell(row, name);
            cell(row, queue.depth[name] || 0, name === "emergency" && queue.depth[name] > 0 ? "bad" : "");
            return row;
          });
          const total = document.createElement("tr");
          cell(total, "total", "muted");
          cell(total, queue.total);
          rows.push(total);
          replaceRows($("queue"), rows);
        }

        function duration(seconds) {
          if (seconds < 60) return seconds + " s";
          if (seconds < 3600) return Math.floor(seconds / 60) + " min " + (seconds % 60) + " s";
          return Math.floor(seconds / 3600) + " h " + String(Math.floor((seconds % 3600) / 60)).padStart(2, "0") + " min";
        }

        function renderBroadcasts(broadcasts) {
          replaceRows($("broadcasts"), broadcasts.map((b) => {
            const row = document.createElement("tr");
            cell(row, b.id);
            cell(row, b.name || b.text.slice(0, 40));
            const bar = document.createElement("div");
            bar.className = "bar";
            for (const [state, className] of [["delivered", "delivered"], ["sent", "sent"], ["failed", "failed"],
                                              ["undelivered", "failed"], ["cancelled", "cancelled"]]) {
              const part = document.createElement("span");
              part.className = className;
              part.style.width = (b.total ? (100 * (b.counts[state] || 0) / b.total) : 0) + "%";
              bar.appendChild(part);
            }
            const progress = cell(row, "");
            progress.appendChild(bar);
            if (typeof b.estimated_seconds_left === "number" && b.estimated_seconds_left > 0) {
              const left = document.createElement("div");
              left.className = "muted";
              left.textContent = "about " + duration(b.estimated_seconds_left) + " left";
              progress.appendChild(left);
            }
            const counts = Object.entries(b.counts).filter(([, n]) => n > 0).map(([s, n]) => s + " " + n).join(", ");
            cell(row, counts + " of " + b.total);
            const button = document.createElement("button");
            button.type = "button";
            button.textContent = "Cancel";
            button.addEventListener("click", () => cancelBroadcast(b.id));
            cell(row, "").appendChild(button);
            return row;
          }));
        }

        function renderFailures(failures) {
          replaceRows($("failures"), failures.map((f) => {
            const row = document.createElement("tr");
            cell(row, f.id);
            cell(row, f.state, "bad");
            cell(row, f.provider || "");
            cell(row, f.reason || "");
            cell(row, new Date(f.updated_at).toLocaleString());
            return row;
          }));
        }

        function render(snapshot) {
          renderProviders(snapshot.providers);
          renderQueue(snapshot.queue);
          renderBroadcasts(snapshot.broadcasts);
          renderFailures(snapshot.recent_failures);
          $("connection").textContent = "live, " + new Date(snapshot.generated_at).toLocaleTimeString();
        }

        function showTokenDialog(message) {
          if (controller) controller.abort();
          $("dashboard").classList.add("hidden");
          $("token-dialog").classList.remove("hidden");
          $("connection").textContent = message || "not connected";
        }

        async function connect() {
          if (!token()) { showTokenDialog(); return; }
          clearTimeout(retryTimer);
          if (controller) controller.abort();
          controller = new AbortController();
          $("token-dialog").classList.add("hidden");
          $("dashboard").classList.remove("hidden");
          $("connection").textContent = "connecting";
          try {
            const response = await fetch("/v1/events", { headers: headers(), signal: controller.signal });
            if (response.status === 401 || response.status === 403) {
              sessionStorage.removeItem(tokenKey);
              showTokenDialog("the token was not accepted");
              return;
            }
            if (!response.ok) throw new Error("status " + response.status);
            const reader = response.body.getReader();
            const decoder = new TextDecoder();
            let buffer = "";
            for (;;) {
              const { value, done } = await reader.read();
              if (done) break;
              buffer += decoder.decode(value, { stream: true });
              let end;
              while ((end = buffer.indexOf("\n\n")) >= 0) {
                const block = buffer.slice(0, end);
                buffer = buffer.slice(end + 2);
                handleEvent(block);
              }
            }
            throw new Error("the stream ended");
          } catch (error) {
            if (error.name === "AbortError") return;
            $("connection").textContent = "disconnected (" + error.message + "), retrying";
            retryTimer = setTimeout(connect, 3000);
          }
        }

        function handleEvent(block) {
          let event = "message";
          const data = [];
          for (const line of block.split("\n")) {
            if (line.startsWith("event: ")) event = line.slice(7);
            else if (line.startsWith("data: ")) data.push(line.slice(6));
          }
          if (event === "snapshot" && data.length > 0) render(JSON.parse(data.join("\n")));
          if (event === "failure") $("connection").textContent = "the server could not read its status";
        }

        async function cancelBroadcast(id) {
          if (!confirm("Cancel the queued messages of broadcast " + id + "?")) return;
          const response = await fetch("/v1/broadcasts/" + encodeURIComponent(id) + "/cancel", { method: "POST", headers: headers() });
          const body = await response.json();
          $("send-result").textContent = response.ok
            ? "Broadcast " + id + ": " + body.cancelled + " queued messages cancelled."
            : "Cancel failed: " + body.error.message;
        }

        $("send-form").addEventListener("submit", async (event) => {
          event.preventDefault();
          const numbers = $("numbers").value.split(/[\n,;]+/).map((n) => n.trim()).filter((n) => n.length > 0);
          const text = $("text").value;
          if (!confirm("Send this message to " + numbers.length + " numbers?")) return;
          const response = await fetch("/v1/broadcasts", {
            method: "POST",
            headers: headers(),
            body: JSON.stringify({ to: numbers, text: text, priority: $("priority").value }),
          });
          const body = await response.json();
          if (response.ok) {
            $("send-result").textContent = "Queued broadcast " + body.id + " to " + body.total + " numbers.";
            $("send-form").reset();
          } else {
            const rejected = (body.error.rejected || []).map((r) => "line " + (r.index + 1) + " (" + r.value + "): " + r.reason);
            $("send-result").textContent = "Not sent: " + body.error.message + (rejected.length ? "\n" + rejected.join("\n") : "");
          }
        });

        $("token-form").addEventListener("submit", (event) => {
          event.preventDefault();
          sessionStorage.setItem(tokenKey, $("token").value.trim());
          $("token").value = "";
          connect();
        });

        $("forget").addEventListener("click", () => {
          sessionStorage.removeItem(tokenKey);
          showTokenDialog();
        });

        connect();
        </script>
        </body>
        </html>
        """#
}
