// The fleet, live: one page of machines (problems first) from GET /api/machines, kept current by the server-sent
// events of GET /api/machines/stream; a machine's detail from its detail, uptime and history calls.
// The key is asked once and kept in sessionStorage (this browser tab's session only).
"use strict";

const KEY_STORAGE = "heartbeat.apiKey";
const STATUSES = ["offline", "warning", "late", "new", "online", "paused"];
const PAGE_SIZE = 100;
const RECONCILE_MS = 1500;      // after live changes, the page is fetched again to settle order, totals and paging
const STALL_MS = 45000;         // no byte (not even a keep-alive comment) for this long: the stream is dead
const $ = id => document.getElementById(id);

const state = {
  key: sessionStorage.getItem(KEY_STORAGE) ?? "",
  role: null,
  filter: { status: "", tag: "", q: "" },
  cursors: [null],              // the cursor of each page visited; the last one is the current page's
  rows: [],                     // the current page's machines, in order
  total: 0,
  nextCursor: null,
  counts: {},
  lastEventId: null,
  stream: null,                 // AbortController of the open stream
  detailId: null,
  changedAt: new Map(),         // machine id -> { status, at }: when a live change reached the page (read by the browser tests)
  window: "24h",
};

// ---- key ----------------------------------------------------------------------------------------------------

$("key-form").addEventListener("submit", event => {
  event.preventDefault();
  useKey($("api-key").value.trim());
});
$("forget-key").addEventListener("click", () => {
  sessionStorage.removeItem(KEY_STORAGE);
  location.hash = "";
  location.reload();
});

async function useKey(key) {
  state.key = key;
  showError("");
  const role = await api("/api/key").catch(e => { showError(e.message); return null; });
  if (!role) { askForKey(); return; }
  sessionStorage.setItem(KEY_STORAGE, key);
  state.role = role.role;
  $("key-form").hidden = true;
  $("key-info").hidden = false;
  $("role").textContent = state.role === "admin" ? "admin key" : "read key";
  $("api-key").value = "";
  await route();
  connect();
  pollIncidents();
}

function askForKey() {
  state.key = "";
  sessionStorage.removeItem(KEY_STORAGE);
  $("key-form").hidden = false;
  $("key-info").hidden = true;
  $("api-key").focus();
}

class HttpError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function api(path, options = {}) {
  const response = await fetch(path, { ...options, headers: { Authorization: `Bearer ${state.key}`, ...(options.headers ?? {}) } });
  if (!response.ok) {
    let detail = "";
    try { detail = (await response.json()).detail ?? ""; } catch { /* not problem details */ }
    if (response.status === 401) askForKey();
    throw new HttpError(response.status, `${response.status} ${response.statusText}${detail ? ": " + detail : ""}`);
  }
  return response.status === 204 ? null : response.json();
}

function showError(text) {
  $("error").textContent = text;
  $("error").hidden = !text;
}

// ---- the list -----------------------------------------------------------------------------------------------

function listUrl() {
  const p = new URLSearchParams({ limit: PAGE_SIZE });
  if (state.filter.status) p.set("status", state.filter.status);
  if (state.filter.tag) p.set("tag", state.filter.tag);
  if (state.filter.q) p.set("q", state.filter.q);
  const cursor = state.cursors[state.cursors.length - 1];
  if (cursor) p.set("cursor", cursor);
  return `/api/machines?${p}`;
}

let loadSeq = 0;
async function loadPage() {
  const seq = ++loadSeq;
  try {
    const page = await api(listUrl());
    if (seq !== loadSeq) return;   // a newer load (filter typed meanwhile) wins
    state.rows = page.machines;
    state.total = page.total;
    state.nextCursor = page.next_cursor;
    state.counts = page.counts;
    renderRows();
    renderSummary();
    showError("");
    if (!performance.getEntriesByName("machines-rendered").length) performance.mark("machines-rendered");
  } catch (e) {
    if (e instanceof HttpError && e.status === 400 && state.cursors.length > 1) { state.cursors = [null]; return loadPage(); }
    showError(e.message);
  }
}

let reconcileTimer = 0;
function reconcileSoon() {
  clearTimeout(reconcileTimer);
  reconcileTimer = setTimeout(loadPage, RECONCILE_MS);
}

function renderSummary() {
  const box = $("summary");
  box.replaceChildren(...STATUSES.map(status => {
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.status = status;
    button.setAttribute("aria-pressed", String(state.filter.status === status));
    const count = document.createElement("span");
    count.className = "count";
    count.textContent = (state.counts[status] ?? 0).toLocaleString("en");
    button.append(count, status);
    button.addEventListener("click", () => {
      state.filter.status = state.filter.status === status ? "" : status;
      $("filter-status").value = state.filter.status;
      state.cursors = [null];
      loadPage();
    });
    return button;
  }));
  const first = state.cursors.length === 1 ? 1 : (state.cursors.length - 1) * PAGE_SIZE + 1;
  $("page-info").textContent = state.total === 0 ? "No machines match."
    : `${first.toLocaleString("en")}–${(first + state.rows.length - 1).toLocaleString("en")} of ${state.total.toLocaleString("en")}`;
  $("prev").disabled = state.cursors.length === 1;
  $("next").disabled = !state.nextCursor;
}

function renderRows() {
  const body = $("machines");
  if (state.rows.length === 0) {
    const tr = document.createElement("tr");
    tr.className = "empty";
    tr.innerHTML = '<td colspan="6">No machines match.</td>';
    body.replaceChildren(tr);
    return;
  }
  body.replaceChildren(...state.rows.map(rowOf));
}

function rowOf(m) {
  const tr = document.createElement("tr");
  tr.dataset.id = m.id;
  tr.dataset.status = m.status;
  const changed = state.changedAt.get(m.id);
  if (changed?.status === m.status) tr.dataset.updatedAt = String(changed.at);
  const link = document.createElement("a");
  link.href = `#machine/${m.id}`;
  link.textContent = m.name;
  const tags = document.createElement("td");
  tags.className = "wide";
  for (const t of m.tags ?? []) {
    const span = document.createElement("span");
    span.className = "tag";
    span.textContent = t;
    tags.append(span);
  }
  const status = td(badge(m.status));
  if (m.maintenance_until) status.append(" ", maintenanceBadge(m.maintenance_until));
  tr.append(status, td(link), td(m.hostname ?? "—", "wide"), tags, td(timeAgo(m.last_seen)), td(m.agent_version ?? "—", "wide"));
  tr.addEventListener("click", event => { if (event.target.tagName !== "A") location.hash = `machine/${m.id}`; });
  return tr;
}

function td(content, className) {
  const cell = document.createElement("td");
  if (className) cell.className = className;
  cell.append(content);
  return cell;
}

// A machine covered by a maintenance window: its transitions are recorded but nobody is notified until it ends.
function maintenanceBadge(until) {
  const span = document.createElement("span");
  span.className = "badge maintenance";
  span.textContent = "maintenance";
  span.title = `In a maintenance window until ${new Date(until).toLocaleString()}: no notifications`;
  span.setAttribute("aria-label", span.title);
  return span;
}

function badge(status) {
  const span = document.createElement("span");
  span.className = `badge ${status}`;
  span.textContent = status;
  return span;
}

// Relative times tick: each <time> carries its instant and is rewritten every second.
function timeAgo(value) {
  if (!value) return "never";
  const time = document.createElement("time");
  time.dateTime = value;
  time.title = new Date(value).toLocaleString();
  time.textContent = ago(value);
  return time;
}

function ago(value) {
  const seconds = Math.max(0, Math.round((Date.now() - new Date(value).getTime()) / 1000));
  return seconds < 60 ? `${seconds} s ago`
    : seconds < 3600 ? `${Math.floor(seconds / 60)} min ago`
    : seconds < 86400 ? `${Math.floor(seconds / 3600)} h ago`
    : `${Math.floor(seconds / 86400)} d ago`;
}

setInterval(() => {
  for (const t of document.querySelectorAll("time[datetime]")) t.textContent = ago(t.dateTime);
}, 1000);

// Filters: typing waits for a pause; each change starts again at page one.
let filterTimer = 0;
for (const id of ["filter-status", "filter-tag", "search"]) {
  $(id).addEventListener("input", () => {
    clearTimeout(filterTimer);
    filterTimer = setTimeout(() => {
      state.filter = { status: $("filter-status").value, tag: $("filter-tag").value.trim(), q: $("search").value.trim() };
      state.cursors = [null];
      loadPage();
    }, id === "filter-status" ? 0 : 250);
  });
}
$("filters").addEventListener("submit", event => event.preventDefault());
$("next").addEventListener("click", () => { if (state.nextCursor) { state.cursors.push(state.nextCursor); loadPage(); } });
$("prev").addEventListener("click", () => { if (state.cursors.length > 1) { state.cursors.pop(); loadPage(); } });

// ---- live ---------------------------------------------------------------------------------------------------

// EventSource cannot send the key in a header (and a key in the URL ends up in logs), so the stream is read with
// fetch; it is still text/event-stream, resumed with Last-Event-ID.
async function connect() {
  let delay = 1000;
  while (state.key) {
    const controller = new AbortController();
    state.stream = controller;
    let stall = 0;
    const alive = () => { clearTimeout(stall); stall = setTimeout(() => controller.abort(), STALL_MS); };
    try {
      const headers = { Authorization: `Bearer ${state.key}`, Accept: "text/event-stream" };
      if (state.lastEventId) headers["Last-Event-ID"] = state.lastEventId;
      const response = await fetch("/api/machines/stream", { headers, signal: controller.signal, cache: "no-store" });
      if (response.status === 401) { askForKey(); break; }
      if (!response.ok || !response.body) throw new Error(`stream: ${response.status}`);
      alive();
      setLive(true);   // resumed streams start with the missed changes, or nothing at all
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        alive();
        buffer += value.replace(/\r\n?/g, "\n");
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (onBlock(block)) delay = 1000;
        }
      }
    } catch { /* network error, abort or a gateway restart: reconnect below */ }
    clearTimeout(stall);
    setLive(false);
    await new Promise(resolve => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 10000);
  }
}

/** One server-sent event; true once the stream is known good. */
function onBlock(block) {
  let id = null, type = "message", data = "";
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) continue;                // keep-alive comment
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "id") id = value;
    else if (field === "event") type = value;
    else if (field === "data") data += (data ? "\n" : "") + value;
  }
  if (id !== null) state.lastEventId = id;
  if (!data) return false;
  const payload = JSON.parse(data);
  if (type === "ready" || type === "reset") {
    setLive(true);
    // Reconnected after missing changes (or for the first time): take the list afresh.
    if (type === "reset" || state.rows.length === 0) loadPage();
    return true;
  }
  if (type === "machine") { applyChange(payload); setLive(true); return true; }
  return false;
}

function setLive(live) {
  const badge = $("live");
  badge.classList.toggle("off", !live);
  badge.textContent = live ? "Live" : "Not live — reconnecting";
}

function matches(m) {
  const f = state.filter;
  if (m.status === "retired") return false;
  if (f.status && m.status !== f.status) return false;
  if (f.tag && !(m.tags ?? []).some(t => t.toLowerCase() === f.tag.toLowerCase())) return false;
  if (f.q) {
    const q = f.q.toLowerCase();
    if (!m.name.toLowerCase().includes(q) && !(m.hostname ?? "").toLowerCase().includes(q)) return false;
  }
  return true;
}

// Problems first, as the server sorts: offline, warning, late, new, online, paused; then by name.
function before(a, b) {
  const rank = STATUSES.indexOf(a.status) - STATUSES.indexOf(b.status);
  if (rank !== 0) return rank < 0;
  const an = a.name.toLowerCase(), bn = b.name.toLowerCase();
  return an < bn || (an === bn && a.id < b.id);
}

/** A machine changed: its row is redrawn (or it joins or leaves the page) at once; the page is re-fetched shortly after. */
function applyChange(change) {
  const m = change.machine;
  state.changedAt.set(m.id, { status: m.status, at: Date.now() });
  if (!state.filter.tag && !state.filter.q) {
    state.counts = change.counts;
  }
  const index = state.rows.findIndex(r => r.id === m.id);
  if (index >= 0) state.rows.splice(index, 1);
  if (matches(m)) {
    const at = state.rows.findIndex(r => before(m, r));
    const lastPage = !state.nextCursor;
    if (at >= 0) state.rows.splice(at, 0, m);
    else if (lastPage || index >= 0) state.rows.push(m);
    if (state.rows.length > PAGE_SIZE) state.rows.length = PAGE_SIZE;
  }
  const body = $("machines");
  const old = body.querySelector(`tr[data-id="${m.id}"]`);
  const position = state.rows.findIndex(r => r.id === m.id);
  if (position >= 0) {
    const row = rowOf(m);
    if (old) old.remove();
    const next = state.rows[position + 1] && body.querySelector(`tr[data-id="${state.rows[position + 1].id}"]`);
    body.querySelector("tr.empty")?.remove();
    body.insertBefore(row, next ?? null);
    while (body.children.length > PAGE_SIZE) body.lastElementChild.remove();
  } else if (old) {
    old.remove();
  }
  renderSummary();
  reconcileSoon();
  if (state.detailId === m.id) loadDetail();
}

// ---- platform incidents -------------------------------------------------------------------------------------

let incidents = [];
async function pollIncidents() {
  try {
    const answer = await api("/api/platform/incidents");
    incidents = (Array.isArray(answer) ? answer : answer?.incidents ?? []).map(i => ({
      from: i.started_at ?? i.start ?? i.from ?? i.interrupted_at,
      to: i.ended_at ?? i.end ?? i.to ?? i.restored_at ?? null,
      cause: i.cause ?? "",
    })).filter(i => i.from);
    const open = incidents.filter(i => !i.to);
    $("incidents").hidden = open.length === 0;
    $("incidents").textContent = open.length === 0 ? "" :
      `Heartbeats are not reaching the platform since ${new Date(open[0].from).toLocaleString()}${open[0].cause ? ` (${open[0].cause})` : ""}: no machine is declared offline meanwhile.`;
  } catch {
    $("incidents").hidden = true;   // 404 until the platform records incidents
  }
  setTimeout(pollIncidents, 5000);   // an interruption is news within seconds; the request is one small read
}

// ---- detail -------------------------------------------------------------------------------------------------

window.addEventListener("hashchange", route);
for (const back of document.querySelectorAll("a.back, #home")) back.addEventListener("click", event => { event.preventDefault(); location.hash = ""; });

async function route() {
  const match = location.hash.match(/^#machine\/([0-9a-f-]{36})$/i);
  state.detailId = match ? match[1] : null;
  $("fleet").hidden = !!match;
  $("detail").hidden = !match;
  if (match) await loadDetail();
  else await loadPage();
}

for (const button of document.querySelectorAll(".windows button")) {
  button.addEventListener("click", () => {
    state.window = button.dataset.window;
    for (const b of document.querySelectorAll(".windows button")) b.setAttribute("aria-pressed", String(b === button));
    loadDetail();
  });
}

async function loadDetail() {
  const id = state.detailId;
  if (!id) return;
  try {
    const [m, uptime] = await Promise.all([api(`/api/machines/${id}`), api(`/api/machines/${id}/uptime?window=${state.window}`)]);
    const history = await api(`/api/machines/${id}/history?include=heartbeats&from=${encodeURIComponent(uptime.from)}`);
    if (state.detailId !== id) return;
    renderDetail(m, uptime, history);
    showError("");
  } catch (e) {
    showError(e.message);
  }
}

function renderDetail(m, uptime, history) {
  $("detail-name").textContent = m.name;
  const status = $("detail-status");
  status.className = `badge ${m.status}`;
  status.textContent = m.status;
  fields($("detail-fields"), [
    ["Hostname", m.hostname ?? "—"],
    ["Description", m.description ?? "—"],
    ["Tags", (m.tags ?? []).join(", ") || "—"],
    ["Last seen", m.last_seen ? `${new Date(m.last_seen).toLocaleString()} (${ago(m.last_seen)})` : "never"],
    ["Reported", m.reported_status ? `${m.reported_status}${m.message ? ": " + m.message : ""}` : "—"],
    ["Offline since", m.offline_since ? new Date(m.offline_since).toLocaleString() : "—"],
    ["Maintenance", m.maintenance_until ? `until ${new Date(m.maintenance_until).toLocaleString()}: transitions recorded, nobody notified` : "—"],
    ["Next heartbeat expected", m.next_expected_at ? new Date(m.next_expected_at).toLocaleString() : "—"],
    ["Threshold", `${m.offline_threshold_seconds} s offline after silence, late after ${m.expected_interval_seconds} s`],
    ["Agent version", m.agent_version ?? "—"],
    ["Flapping", m.flapping ? "yes: changing state too often (its notifications are merged into one)" : "no"],
    ["Last probe error", m.last_probe_error ?? "—"],
    ["Registered", new Date(m.registered_at).toLocaleString()],
    ["Id", m.id],
  ]);
  const admin = state.role === "admin";
  $("admin-actions").hidden = !admin;
  $("pause").hidden = !admin || m.status === "paused";
  $("resume").hidden = !admin || m.status !== "paused";
  $("settings").hidden = !admin;
  if (admin && !$("settings").open) fillSettings(m);   // not while someone is typing in it

  const from = new Date(uptime.from).getTime(), to = new Date(uptime.to).getTime(), width = to - from;
  const bands = (uptime.spans ?? []).map(s => band(s.state, s.from, s.to, from, width, `${s.state} ${new Date(s.from).toLocaleString()} – ${new Date(s.to).toLocaleString()}`));
  for (const i of incidents) {
    const start = Math.max(new Date(i.from).getTime(), from), end = i.to ? new Date(i.to).getTime() : to;
    if (end > start) bands.push(band("incident", new Date(start), new Date(end), from, width, `platform incident ${i.cause}`));
  }
  $("timeline").replaceChildren(...bands);
  $("timeline").setAttribute("aria-label", `Timeline of the last ${state.window}: ${percent(uptime)} up, ${uptime.episodes} outages`);
  $("timeline-from").textContent = new Date(uptime.from).toLocaleString();
  fields($("uptime"), [
    ["Uptime", percent(uptime)],
    ["Outages", String(uptime.episodes)],
    ["Downtime", duration(uptime.offline_seconds)],
    ["Longest outage", duration(uptime.longest_outage_seconds)],
    ["Paused (not counted)", duration(uptime.paused_seconds)],
  ]);

  $("transitions").replaceChildren(...(history.transitions.length ? history.transitions.map(t => li(
    `${new Date(t.at).toLocaleString()} — ${t.kind}${t.downtime_seconds != null ? ` after ${duration(t.downtime_seconds)} down` : ""}`
    + (t.run ? ` ${t.run.outcome} after ${duration(t.run.duration_seconds)}${t.run.exit_code != null ? ` (exit ${t.run.exit_code})` : ""}` : ""), t.kind))
    : [li("No transitions in this window.")]));
  $("heartbeats").replaceChildren(...((history.heartbeats ?? []).length ? history.heartbeats.map(h => li(
    `${new Date(h.received_at).toLocaleString()} — ${h.status}${h.message ? ": " + h.message : ""}${h.agent_version ? ` (agent ${h.agent_version})` : ""}`))
    : [li("No recent heartbeats.")]));

  const url = `${location.origin}/api/heartbeat/${m.id}`;
  $("curl-command").value = `curl -fsS -X POST ${url} -H "Authorization: Bearer $HEARTBEAT_TOKEN"`;
  $("agent-command").value = `while true; do curl -fsS -m 10 -X POST ${url} -H "Authorization: Bearer $HEARTBEAT_TOKEN" -H 'Content-Type: application/json' -d '{"status":"ok"}' >/dev/null; sleep 30; done`;
}

function band(state, start, end, from, width, title) {
  const span = document.createElement("span");
  span.className = state;
  span.style.left = `${((new Date(start).getTime() - from) / width) * 100}%`;
  span.style.width = `${Math.max(0.2, ((new Date(end).getTime() - new Date(start).getTime()) / width) * 100)}%`;
  span.title = title;
  return span;
}

function fields(dl, pairs) {
  dl.replaceChildren(...pairs.flatMap(([name, value]) => {
    const dt = document.createElement("dt"), dd = document.createElement("dd");
    dt.textContent = name;
    dd.textContent = value;
    return [dt, dd];
  }));
}

function li(text, className) {
  const item = document.createElement("li");
  item.textContent = text;
  if (className) item.className = className;
  return item;
}

function percent(uptime) { return uptime.monitored_seconds > 0 ? `${(uptime.uptime_ratio * 100).toFixed(3).replace(/\.?0+$/, "")} %` : "—"; }

function duration(seconds) {
  if (!seconds) return "0 s";
  return seconds < 10 ? `${seconds.toFixed(1)} s` : seconds < 120 ? `${Math.round(seconds)} s` : seconds < 7200 ? `${Math.round(seconds / 60)} min` : seconds < 172800 ? `${(seconds / 3600).toFixed(1)} h` : `${(seconds / 86400).toFixed(1)} d`;
}

async function monitoring(action) {
  try {
    await api(`/api/machines/${state.detailId}/${action}`, { method: "POST" });
    await loadDetail();
  } catch (e) {
    showError(e.message);
  }
}
// ---- settings (admin keys): PATCH /api/machines/{id} with the fields that changed -------------------------------

let settingsOf = null;
function fillSettings(m) {
  settingsOf = m;
  $("setting-name").value = m.name ?? "";
  $("setting-description").value = m.description ?? "";
  $("setting-tags").value = (m.tags ?? []).join(", ");
  $("setting-threshold").value = m.offline_threshold_seconds ?? "";
  $("setting-interval").value = m.expected_interval_seconds ?? "";
}

function changedSettings(m) {
  const body = {};
  const name = $("setting-name").value.trim(), description = $("setting-description").value.trim();
  const tags = $("setting-tags").value.split(",").map(t => t.trim()).filter(t => t);
  const threshold = $("setting-threshold").valueAsNumber, interval = $("setting-interval").valueAsNumber;
  if (name !== (m.name ?? "")) body.name = name;
  if (description !== (m.description ?? "")) body.description = description;
  if (tags.join("\u0000") !== (m.tags ?? []).join("\u0000")) body.tags = tags;
  if (!Number.isNaN(threshold) && threshold !== m.offline_threshold_seconds) body.offline_threshold_seconds = threshold;
  if (!Number.isNaN(interval) && interval !== m.expected_interval_seconds) body.expected_interval_seconds = interval;
  return body;
}

function applied(body, m) {
  return Object.entries(body).every(([field, value]) =>
    Array.isArray(value) ? value.join("\u0000") === (m[field] ?? []).join("\u0000") : (m[field] ?? "") === value);
}

$("settings-form").addEventListener("submit", async event => {
  event.preventDefault();
  const result = $("settings-result");
  const body = changedSettings(settingsOf);
  if (Object.keys(body).length === 0) { result.textContent = "Nothing changed."; return; }
  result.textContent = "Saving…";
  try {
    const response = await fetch(`/api/machines/${state.detailId}`, {
      method: "PATCH",
      headers: { Authorization: `Bearer ${state.key}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!response.ok) {
      // Problem details: say which field was refused and why, as the API does.
      let problem = {};
      try { problem = await response.json(); } catch { /* not problem details */ }
      const errors = Object.entries(problem.errors ?? {}).map(([field, messages]) => `${field}: ${messages.join(" ")}`);
      result.textContent = `Not saved — ${errors.length ? errors.join("; ") : problem.detail ?? `${response.status} ${response.statusText}`}`;
      return;
    }
    result.textContent = "Saved.";
    $("settings").open = false;
    // The detail is the detector's read model, a moment behind the stored change: read it again until it shows it.
    for (let i = 0; i < 20; i++) {
      await loadDetail();
      if (applied(body, settingsOf)) break;
      await new Promise(resolve => setTimeout(resolve, 250));
    }
  } catch (e) {
    result.textContent = `Not saved — ${e.message}`;
  }
});

$("pause").addEventListener("click", () => monitoring("pause"));
$("resume").addEventListener("click", () => monitoring("resume"));

for (const button of document.querySelectorAll("[data-copy]")) {
  button.addEventListener("click", async () => {
    const input = $(button.dataset.copy);
    input.select();
    try { await navigator.clipboard.writeText(input.value); } catch { document.execCommand("copy"); }
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = "Copy"; }, 1500);
  });
}

// ---- start --------------------------------------------------------------------------------------------------

if (state.key) useKey(state.key);
else askForKey();
