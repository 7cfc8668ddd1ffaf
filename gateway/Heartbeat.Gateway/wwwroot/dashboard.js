// The fleet at a glance: GET /api/machines every 2 s with the key kept in localStorage.
"use strict";

const KEY_STORAGE = "heartbeat.apiKey";
const REFRESH_MS = 2000;
const STATUSES = ["new", "online", "warning", "late", "offline", "paused"];

const keyInput = document.getElementById("api-key");
const errorLine = document.getElementById("error");
const summary = document.getElementById("summary");
const rows = document.getElementById("machines");

keyInput.value = localStorage.getItem(KEY_STORAGE) ?? "";
document.getElementById("key-form").addEventListener("submit", event => {
  event.preventDefault();
  localStorage.setItem(KEY_STORAGE, keyInput.value.trim());
  refresh();
});

function showError(text) {
  errorLine.textContent = text;
  errorLine.hidden = !text;
}

function formatTime(value) {
  if (!value) return "—";
  const date = new Date(value);
  const seconds = Math.round((Date.now() - date.getTime()) / 1000);
  const ago = seconds < 60 ? `${seconds}s ago`
    : seconds < 3600 ? `${Math.floor(seconds / 60)}m ago`
    : seconds < 86400 ? `${Math.floor(seconds / 3600)}h ago`
    : `${Math.floor(seconds / 86400)}d ago`;
  return `${date.toLocaleString()} (${ago})`;
}

function cell(text) {
  const td = document.createElement("td");
  td.textContent = text ?? "—";
  return td;
}

function badge(status) {
  const td = document.createElement("td");
  const span = document.createElement("span");
  const known = STATUSES.includes(status) ? status : "new";
  span.className = `badge ${known}`;
  span.textContent = status ?? "unknown";
  td.appendChild(span);
  return td;
}

function render(machines) {
  rows.replaceChildren();
  if (machines.length === 0) {
    const tr = document.createElement("tr");
    tr.className = "empty";
    const td = cell("No machines yet.");
    td.colSpan = 5;
    tr.appendChild(td);
    rows.appendChild(tr);
  }
  for (const m of [...machines].sort((a, b) => (a.name ?? "").localeCompare(b.name ?? ""))) {
    const tr = document.createElement("tr");
    tr.title = m.message ?? m.description ?? "";
    tr.append(cell(m.name), cell(m.hostname), badge(m.status), cell(formatTime(m.last_seen)), cell(formatTime(m.offline_since)));
    rows.appendChild(tr);
  }
  const counts = STATUSES.map(s => [s, machines.filter(m => m.status === s).length]).filter(([, n]) => n > 0);
  summary.textContent = `${machines.length} machine(s)` + (counts.length ? ": " + counts.map(([s, n]) => `${n} ${s}`).join(", ") : "")
    + ` · updated ${new Date().toLocaleTimeString()}`;
}

async function refresh() {
  const key = localStorage.getItem(KEY_STORAGE);
  if (!key) {
    showError("Enter an API key (admin or read) to see the machines.");
    return;
  }
  try {
    const response = await fetch("/api/machines", { headers: { Authorization: `Bearer ${key}`, Accept: "application/json" } });
    if (response.status === 401 || response.status === 403) {
      rows.replaceChildren();
      summary.textContent = "";
      showError("The API key was refused (401): check it and save again.");
      return;
    }
    if (!response.ok) {
      let detail = "";
      try { detail = (await response.json()).detail ?? ""; } catch { /* not problem details */ }
      showError(`The API answered ${response.status}${detail ? ": " + detail : ""}`);
      return;
    }
    const body = await response.json();
    render(Array.isArray(body) ? body : body.machines ?? body.items ?? []);
    showError("");
  } catch (e) {
    showError(`The gateway could not be reached: ${e.message}`);
  }
}

refresh();
setInterval(refresh, REFRESH_MS);
