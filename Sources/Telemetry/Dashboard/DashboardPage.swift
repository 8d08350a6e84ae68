/// The live dashboard: one self-contained page (inline CSS, JS and SVG, no external assets) fed by
/// `GET /dashboard/events`. Built to be read at a glance in an incident: alerts on top, then the
/// doctor's current findings (cause, object, confidence, FIX), then the database backends (the
/// primary and each replica: in use or skipped and why, lag, reads, fallbacks; only when the store
/// reads from replicas), then the four golden signals, then the database.
enum DashboardPage {
    /// Nothing may load from elsewhere; the stream comes from the same origin.
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:"

    static let html = #"""
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Surge — live</title>
    <style>
      :root { --bg:#0f1419; --panel:#18202a; --ink:#e6edf3; --dim:#8b98a5; --ok:#3fb950; --warn:#d29922; --bad:#f85149;
              --p50:#58a6ff; --p95:#d29922; --p99:#f85149; }
      * { box-sizing: border-box; }
      body { margin:0; background:var(--bg); color:var(--ink); font:14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; }
      header { display:flex; align-items:center; gap:16px; padding:10px 18px; background:var(--panel); border-bottom:1px solid #2d3843; }
      header h1 { font-size:18px; margin:0; }
      #state { padding:2px 10px; border-radius:10px; background:#2d3843; color:var(--dim); font-weight:600; }
      #state.live { background:#12361f; color:var(--ok); }
      #state.down { background:#3d1416; color:var(--bad); }
      .dim { color:var(--dim); }
      main { padding:14px 18px; display:grid; gap:14px; }
      #alerts { padding:10px 14px; border-radius:6px; font-weight:600; background:#12361f; color:var(--ok); }
      #alerts.firing { background:#3d1416; color:#ffb3ad; }
      #alerts ul { margin:4px 0 0; padding-left:20px; font-weight:400; }
      #alerts a { color:inherit; }
      .tiles { display:grid; grid-template-columns:repeat(auto-fit, minmax(150px, 1fr)); gap:10px; }
      .tile { background:var(--panel); border-radius:6px; padding:10px 12px; }
      .tile .label { color:var(--dim); font-size:12px; text-transform:uppercase; letter-spacing:.04em; }
      .tile .value { font-size:26px; font-weight:700; font-variant-numeric:tabular-nums; }
      .tile.warn .value { color:var(--warn); } .tile.bad .value { color:var(--bad); }
      .charts { display:grid; grid-template-columns:repeat(auto-fit, minmax(320px, 1fr)); gap:10px; }
      .chart { background:var(--panel); border-radius:6px; padding:10px 12px; }
      .chart h2, section h2 { font-size:13px; margin:0 0 6px; color:var(--dim); text-transform:uppercase; letter-spacing:.04em; }
      .legend span { margin-right:10px; font-size:12px; }
      svg { width:100%; height:120px; display:block; }
      section { background:var(--panel); border-radius:6px; padding:10px 12px; overflow-x:auto; }
      table { width:100%; border-collapse:collapse; font-variant-numeric:tabular-nums; }
      th, td { text-align:left; padding:4px 8px; border-bottom:1px solid #2d3843; vertical-align:top; }
      th { color:var(--dim); font-weight:600; font-size:12px; }
      td.num, th.num { text-align:right; }
      td code { font-size:12px; color:#c9d1d9; word-break:break-word; display:-webkit-box; -webkit-line-clamp:3; -webkit-box-orient:vertical; overflow:hidden; }
      .bar { height:6px; background:var(--p50); border-radius:3px; }
      #doctor .verdict { font-weight:600; color:var(--ok); margin-bottom:6px; }
      #doctor.fault .verdict { color:var(--bad); }
      #doctor.failed .verdict { color:var(--warn); }
      #doctor td.fix code { color:#ffd58a; -webkit-line-clamp:6; }
      #backends .ok { color:var(--ok); } #backends .bad { color:var(--bad); }
      .conf-high { color:var(--bad); font-weight:600; } .conf-medium { color:var(--warn); } .conf-low { color:var(--dim); }
    </style>
    </head>
    <body data-live="0" data-events="0" data-errors="">
    <header>
      <h1>Surge</h1><span id="state">connecting…</span>
      <span class="dim">up <b id="uptime">–</b></span>
      <span class="dim">last update <b id="updated">never</b></span>
    </header>
    <main>
      <div id="alerts">No active alerts</div>
      <section id="doctor"><h2>Doctor <span class="dim" id="doctor-meta"></span></h2>
        <div class="verdict" id="doctor-verdict">no doctor runs for this store</div>
        <table><thead><tr><th>Cause</th><th>Object</th><th>Confidence</th><th>Fix</th></tr></thead>
        <tbody id="doctor-findings"></tbody></table>
        <div class="dim" id="doctor-notes"></div>
      </section>
      <section id="backends" hidden><h2>Database backends <span class="dim">catalog reads: replicas first, the primary when none is usable</span></h2>
        <table><thead><tr><th>Backend</th><th>Role</th><th>State</th><th class="num">Lag</th><th class="num">Reads</th><th class="num">Fallbacks</th></tr></thead>
        <tbody id="backend-rows"></tbody></table>
      </section>
      <div class="tiles">
        <div class="tile" id="t-rate"><div class="label">Requests / s</div><div class="value">–</div></div>
        <div class="tile" id="t-errors"><div class="label">5xx ratio</div><div class="value">–</div></div>
        <div class="tile" id="t-p50"><div class="label">p50</div><div class="value">–</div></div>
        <div class="tile" id="t-p95"><div class="label">p95</div><div class="value">–</div></div>
        <div class="tile" id="t-p99"><div class="label">p99</div><div class="value">–</div></div>
        <div class="tile" id="t-pool"><div class="label">Pool in use</div><div class="value">–</div></div>
        <div class="tile" id="t-waiters"><div class="label">Pool waiters</div><div class="value">–</div></div>
      </div>
      <div class="charts">
        <div class="chart"><h2>Request rate (req/s)</h2><svg id="c-rate" viewBox="0 0 300 100" preserveAspectRatio="none"></svg></div>
        <div class="chart"><h2>Latency (ms)</h2><div class="legend"><span style="color:var(--p50)">■ p50</span><span style="color:var(--p95)">■ p95</span><span style="color:var(--p99)">■ p99</span></div>
          <svg id="c-latency" viewBox="0 0 300 100" preserveAspectRatio="none"></svg></div>
        <div class="chart"><h2>5xx ratio (%)</h2><svg id="c-errors" viewBox="0 0 300 100" preserveAspectRatio="none"></svg></div>
        <div class="chart"><h2>Pool</h2><div class="legend"><span style="color:var(--p50)">■ in use</span><span style="color:var(--p99)">■ waiters</span></div>
          <svg id="c-pool" viewBox="0 0 300 100" preserveAspectRatio="none"></svg></div>
      </div>
      <div class="tiles" id="pg">
        <div class="tile" id="t-conn"><div class="label">PG connections</div><div class="value">–</div></div>
        <div class="tile" id="t-hit"><div class="label">Buffer hit ratio</div><div class="value">–</div></div>
        <div class="tile" id="t-xact"><div class="label">Oldest transaction</div><div class="value">–</div></div>
        <div class="tile" id="t-locks"><div class="label">Lock waits</div><div class="value">–</div></div>
        <div class="tile" id="t-deadlocks"><div class="label">Deadlocks</div><div class="value">–</div></div>
        <div class="tile" id="t-commits"><div class="label">Commits / rollbacks</div><div class="value">–</div></div>
      </div>
      <section><h2>Top queries by total time</h2>
        <table><thead><tr><th>Query</th><th class="num">Total ms</th><th></th><th class="num">Calls</th><th class="num">Mean ms</th><th class="num">p95 ms</th><th class="num">Errors</th><th>Routes</th></tr></thead>
        <tbody id="queries"><tr><td colspan="8" class="dim">waiting for data…</td></tr></tbody></table>
        <div id="nplusone" class="dim"></div>
      </section>
    </main>
    <script>
    "use strict";
    (function () {
      const body = document.body;
      const errors = [];
      window.addEventListener("error", (e) => { errors.push(String(e.message)); body.dataset.errors = errors.join(" | "); });
      const $ = (id) => document.getElementById(id);
      const history = { rate: [], p50: [], p95: [], p99: [], errors: [], inUse: [], waiters: [] };
      const keep = 300;
      const fmt = (v, digits) => (v === undefined || v === null || isNaN(v)) ? "–" : Number(v).toFixed(digits);
      const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
      function tile(id, text, level) {
        const el = $(id);
        el.querySelector(".value").textContent = text;
        el.className = "tile" + (level ? " " + level : "");
      }
      function push(name, value) {
        const series = history[name];
        series.push(value);
        if (series.length > keep) series.shift();
      }
      function draw(id, lines) {
        const svg = $(id);
        const max = Math.max(1e-9, ...lines.flatMap((l) => l.data)) * 1.1;
        const n = Math.max(2, ...lines.map((l) => l.data.length));
        let out = '<line x1="0" y1="99.5" x2="300" y2="99.5" stroke="#2d3843" stroke-width="1"/>';
        out += '<text x="2" y="10" fill="#8b98a5" font-size="9">' + esc(max.toPrecision(3)) + "</text>";
        for (const line of lines) {
          const pts = line.data.map((v, i) => ((i + (n - line.data.length)) * 300 / (n - 1)).toFixed(1) + "," + (100 - v / max * 96).toFixed(1));
          out += '<polyline fill="none" stroke="' + line.color + '" stroke-width="1.5" vector-effect="non-scaling-stroke" points="' + pts.join(" ") + '"/>';
        }
        svg.innerHTML = out;
        svg.dataset.points = String(lines[0].data.length);
      }
      function duration(seconds) {
        if (seconds < 60) return seconds.toFixed(0) + " s";
        if (seconds < 3600) return (seconds / 60).toFixed(1) + " min";
        return (seconds / 3600).toFixed(1) + " h";
      }
      function renderBackends(list) {
        $("backends").hidden = !list;
        if (!list) return;
        $("backend-rows").innerHTML = list.map((b) => {
          const state = b.role === "primary" ? "serves writes, and reads when no replica is usable" :
            (b.usable ? '<span class="ok">in use</span>' : '<span class="bad">skipped</span>' + (b.reason ? " — " + esc(b.reason) : ""));
          const lag = b.lag_seconds === undefined || b.lag_seconds === null ? "–" : fmt(b.lag_seconds * 1000, 0) + " ms";
          return '<tr data-backend="' + esc(b.name) + '" data-usable="' + (b.usable === false ? "0" : "1") + '"><td>' + esc(b.name) +
            "</td><td>" + esc(b.role) + "</td><td>" + state + '</td><td class="num">' + lag + '</td><td class="num">' + b.reads +
            '</td><td class="num">' + b.fallbacks + "</td></tr>";
        }).join("");
      }
      function renderDoctor(d) {
        const panel = $("doctor");
        if (!d) { panel.className = ""; return; }
        const age = Math.max(0, Date.now() / 1000 - d.evaluated_at);
        $("doctor-meta").textContent = d.state === "pending" ? "— first look under way" :
          "— " + duration(age) + " ago, " + fmt(d.window_seconds, 0) + " s window, " + d.statements + " statements, " +
          fmt(d.duration_seconds, 1) + " s; every " + duration(d.interval_seconds);
        if (d.state === "failed") {
          panel.className = "failed";
          $("doctor-verdict").textContent = "The doctor could not look: " + (d.error || "unknown error");
        } else if (d.state === "pending") {
          panel.className = "";
          $("doctor-verdict").textContent = "waiting for the first verdict…";
        } else {
          panel.className = d.findings.length ? "fault" : "";
          $("doctor-verdict").textContent = d.diagnosis.join("  ·  ");
        }
        $("doctor-findings").innerHTML = d.findings.map((f) =>
          "<tr data-cause=\"" + esc(f.cause) + "\"><td><b>" + esc(f.title) + "</b><div class=\"dim\">" + esc(f.key_evidence) + "</div></td>" +
          "<td><code>" + esc(f.object) + "</code></td>" +
          '<td class="conf-' + esc(f.confidence) + '">' + esc(f.confidence) + "</td>" +
          '<td class="fix">' + f.fixes.map((x) => "<code>FIX: " + esc(x) + "</code>").join("") + "</td></tr>").join("");
        const notes = [];
        if (d.seen.length) notes.push("Seen: " + d.seen.map(esc).join("; "));
        if (d.skipped.length) notes.push("Could not check: " + d.skipped.map(esc).join("; "));
        $("doctor-notes").innerHTML = notes.join("<br>");
      }
      function render(s) {
        const r = s.requests;
        push("rate", r.rate_per_second); push("p50", r.p50_ms); push("p95", r.p95_ms); push("p99", r.p99_ms);
        push("errors", r.error_ratio * 100);
        tile("t-rate", fmt(r.rate_per_second, 1));
        tile("t-errors", fmt(r.error_ratio * 100, 2) + " %", r.error_ratio > 0.01 ? "bad" : r.error_ratio > 0.001 ? "warn" : "");
        tile("t-p50", fmt(r.p50_ms, 1) + " ms");
        tile("t-p95", fmt(r.p95_ms, 1) + " ms", r.p95_ms > 300 ? "warn" : "");
        tile("t-p99", fmt(r.p99_ms, 1) + " ms", r.p99_ms > 1000 ? "bad" : r.p99_ms > 300 ? "warn" : "");
        if (s.pool) {
          push("inUse", s.pool.in_use); push("waiters", s.pool.waiters);
          tile("t-pool", s.pool.in_use + " / " + s.pool.capacity, s.pool.in_use >= s.pool.capacity ? "warn" : "");
          tile("t-waiters", String(s.pool.waiters), s.pool.waiters > 0 ? "bad" : "");
        } else { push("inUse", 0); push("waiters", 0); }
        draw("c-rate", [{ data: history.rate, color: "var(--p50)" }]);
        draw("c-latency", [{ data: history.p50, color: "var(--p50)" }, { data: history.p95, color: "var(--p95)" }, { data: history.p99, color: "var(--p99)" }]);
        draw("c-errors", [{ data: history.errors, color: "var(--p99)" }]);
        draw("c-pool", [{ data: history.inUse, color: "var(--p50)" }, { data: history.waiters, color: "var(--p99)" }]);
        const pg = s.server;
        if (pg) {
          const total = Object.values(pg.connections).reduce((a, b) => a + b, 0);
          const ratio = pg.max_connections ? total / pg.max_connections : 0;
          tile("t-conn", total + " / " + pg.max_connections, ratio > 0.8 ? "bad" : ratio > 0.6 ? "warn" : "");
          tile("t-hit", fmt(pg.buffer_hit_ratio * 100, 2) + " %", pg.buffer_hit_ratio < 0.95 ? "warn" : "");
          tile("t-xact", duration(pg.oldest_transaction_seconds), pg.oldest_transaction_seconds > 300 ? "bad" : pg.oldest_transaction_seconds > 60 ? "warn" : "");
          tile("t-locks", String(pg.lock_waits), pg.lock_waits > 5 ? "bad" : pg.lock_waits > 0 ? "warn" : "");
          tile("t-deadlocks", String(pg.deadlocks), pg.deadlocks > 0 ? "warn" : "");
          tile("t-commits", pg.xact_commit + " / " + pg.xact_rollback);
        }
        const top = s.top_queries;
        const maxTotal = Math.max(1e-9, ...top.map((q) => q.total_time_ms));
        $("queries").innerHTML = top.length === 0 ? '<tr><td colspan="8" class="dim">no statements yet</td></tr>' : top.map((q) =>
          "<tr><td><code>" + esc(q.query) + '</code><div class="dim">' + esc(q.fingerprint_id) + "</div></td>" +
          '<td class="num">' + fmt(q.total_time_ms, 1) + '</td><td style="width:80px"><div class="bar" style="width:' + (q.total_time_ms / maxTotal * 100).toFixed(0) + '%"></div></td>' +
          '<td class="num">' + q.calls + '</td><td class="num">' + fmt(q.mean_time_ms, 2) + '</td><td class="num">' + fmt(q.p95_ms, 2) +
          '</td><td class="num">' + q.errors + "</td><td>" + q.routes.map(esc).join("<br>") + "</td></tr>").join("");
        $("nplusone").innerHTML = s.n_plus_one.length ? "<b>N+1 suspects:</b> " + s.n_plus_one.map(esc).join("; ") : "";
        renderDoctor(s.doctor);
        renderBackends(s.backends);
        const alerts = $("alerts");
        if (s.alerts.length) {
          alerts.className = "firing";
          alerts.innerHTML = s.alerts.length + " alert(s) firing<ul>" + s.alerts.map((a) =>
            "<li><b>" + esc(a.name) + "</b> " + esc(a.route_class) + " [" + esc(a.severity) + "] " + esc(a.summary) +
            ' — value ' + fmt(a.value, 2) + ' — <a href="' + esc(a.runbook_url) + '">runbook</a></li>').join("") + "</ul>";
        } else { alerts.className = ""; alerts.textContent = "No active alerts"; }
        $("uptime").textContent = duration(s.uptime_seconds);
        $("updated").textContent = new Date().toLocaleTimeString();
        body.dataset.live = "1";
        body.dataset.events = String(Number(body.dataset.events) + 1);
      }
      const params = new URLSearchParams(location.search);
      const query = new URLSearchParams();
      if (params.get("token")) query.set("token", params.get("token"));
      if (params.get("limit")) query.set("limit", params.get("limit"));
      const source = new EventSource("/dashboard/events?" + query.toString());
      source.onopen = () => { $("state").textContent = "live"; $("state").className = "live"; };
      source.onmessage = (event) => {
        try { render(JSON.parse(event.data)); } catch (e) { errors.push(String(e)); body.dataset.errors = errors.join(" | "); }
      };
      source.onerror = () => {
        // With ?limit= the stream ends on purpose (tests, one-off captures): stay on the last frame.
        if (params.get("limit")) { source.close(); $("state").textContent = "paused"; return; }
        $("state").textContent = "reconnecting…"; $("state").className = "down";
      };
    })();
    </script>
    </body>
    </html>
    """#
}
