// The investor status panel: polls the edge's /_glidepath/status every 2 s and updates the
// page in place (elements are created once and then only their text changes, so keyboard
// focus and open history entries survive the updates).
"use strict";

const POLL_MS = 2000;
const STATUS_URL = "/_glidepath/status?windowMs=30000";
const cards = new Map();
let paused = false;
let lastHistory = "";
let loaded = false;

function el(tag, attrs, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function pct(n) {
  return `${Number(n).toFixed(1)}%`;
}

// The chip judges the canary when there is one, else stable; its state is in its text and
// icon as well as its color.
function chipState(figures, minScore, minRequests) {
  if (!figures?.enough) {
    const seen = figures ? figures.total : 0;
    return { state: "no-data", text: `… collecting data (${seen} of ${minRequests} requests)` };
  }
  if (figures.score >= minScore) {
    return { state: "ok", text: `✓ SLO ${pct(figures.score)} — meeting ${minScore}%` };
  }
  return { state: "breach", text: `✕ SLO ${pct(figures.score)} — BREACH (min ${minScore}%)` };
}

function card(app) {
  if (cards.has(app)) return cards.get(app);
  const root = el("article", { class: "card", "aria-labelledby": `app-${app}` });
  const title = el("h3", { id: `app-${app}` });
  title.append(el("a", { href: `/${app}/` }, app));
  const chip = el("p", { class: "chip", "data-state": "no-data", "data-app": app }, "…");
  const dl = el("dl");
  const fields = {};
  for (const [key, label] of [
    ["stable", "Stable"],
    ["canary", "Canary"],
    ["ramp", "Ramp"],
    ["stableSlo", "Stable SLO"],
    ["canarySlo", "Canary SLO"],
  ]) {
    dl.append(el("dt", {}, label));
    fields[key] = el("dd", {}, "–");
    dl.append(fields[key]);
  }
  const label = el("label", { for: `weight-${app}` }, "Canary weight");
  const weight = el("progress", { id: `weight-${app}`, class: "weight", max: "100", value: "0" }, "0%");
  root.append(title, chip, dl, label, weight);
  document.getElementById("apps").append(root);
  const c = { chip, fields, weight };
  cards.set(app, c);
  return c;
}

function sloText(f) {
  if (!f) return "–";
  if (f.total === 0) return "no requests yet";
  return `${pct(f.score)} of ${f.total} requests, p99 ${f.p99} ms`;
}

function renderApp(a, status) {
  const c = card(a.app);
  if (!a.route) {
    c.fields.stable.textContent = "no route published";
    return;
  }
  const r = a.route;
  const ramp = status.host?.ramp;
  c.fields.stable.textContent = `${a.app}@${r.stable.version}`;
  c.fields.canary.textContent = r.canary ? `${a.app}@${r.canary.version} at ${r.weight}%` : "none";
  c.fields.ramp.textContent = ramp?.apps.includes(a.app)
    ? `${ramp.version}, step ${ramp.step + 1} at ${ramp.weight}%`
    : "no ramp in progress";
  c.fields.stableSlo.textContent = sloText(a.stable);
  c.fields.canarySlo.textContent = sloText(a.canary);
  const weight = r.canary ? r.weight : 0;
  c.weight.value = weight;
  c.weight.textContent = `${weight}%`;
  c.weight.setAttribute("aria-valuetext", `${weight}% of traffic on the canary`);
  const judged = r.canary ? a.canary : a.stable;
  const chip = chipState(judged, status.minScore, status.minRequests);
  c.chip.dataset.state = chip.state;
  c.chip.textContent = `${r.canary ? "canary" : "stable"} ${chip.text}`;
  return chip.state;
}

function verdictClass(e) {
  if (e.phase === "rollback:triggered" || e.verdict === "fail") return "verdict verdict-fail";
  if (e.phase === "deploy:complete" || e.verdict === "pass") return "verdict verdict-pass";
  return "verdict";
}

function renderHistory(host) {
  const list = document.getElementById("history");
  const updates = host?.updates || [];
  const text = JSON.stringify(updates);
  // Unchanged, or the reader is inside the list: leave it as it is.
  if (text === lastHistory || list.contains(document.activeElement)) return;
  lastHistory = text;
  const open = new Set([...list.querySelectorAll("details[open]")].map((d) => d.dataset.version));
  list.replaceChildren();
  if (updates.length === 0) list.append(el("li", { class: "muted" }, "No updates recorded yet."));
  for (const u of updates) {
    const li = el("li");
    const details = el("details", { "data-version": String(u.version) });
    if (open.has(String(u.version))) details.open = true;
    const verdicts = u.events
      .map((e) => (e.verdict ? `gate ${e.verdict}` : e.phase.replace(":", " ")))
      .join(", ");
    details.append(
      el(
        "summary",
        {},
        `#${u.version} ${u.message || u.kind} — ${u.result}${verdicts ? ` — ${verdicts}` : ""}`,
      ),
    );
    const body = el("div");
    body.append(el("p", { class: "muted" }, `${u.kind} started ${new Date(u.at).toLocaleString()}`));
    for (const e of u.events) {
      const line = el("p");
      line.append(
        el("span", { class: verdictClass(e) }, e.verdict ? `${e.phase}: gate ${e.verdict}` : e.phase),
      );
      if (e.reason) line.append(document.createTextNode(` (${e.reason})`));
      body.append(line);
    }
    details.append(body);
    li.append(details);
    list.append(li);
  }
}

async function refresh() {
  if (paused) return;
  const summary = document.getElementById("summary");
  try {
    const res = await fetch(STATUS_URL, { cache: "no-store" });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const status = await res.json();
    const states = status.apps.map((a) => renderApp(a, status));
    renderHistory(status.host);
    const breaches = status.apps.filter((_, i) => states[i] === "breach").map((a) => a.app);
    summary.classList.remove("error");
    summary.textContent = breaches.length
      ? `SLO breach on ${breaches.join(", ")} (minimum ${status.minScore}%).`
      : `All apps meet their SLO or are collecting data (minimum ${status.minScore}%). Updated ${new Date(status.at).toLocaleTimeString()}.`;
    if (!loaded) {
      loaded = true;
      document.body.dataset.loaded = "true";
    }
  } catch (e) {
    summary.classList.add("error");
    summary.textContent = `Error: cannot read the rollout status (${e.message}). Retrying every ${POLL_MS / 1000} s.`;
  }
}

document.getElementById("pause").addEventListener("click", (ev) => {
  paused = !paused;
  ev.currentTarget.setAttribute("aria-pressed", String(paused));
  ev.currentTarget.textContent = paused ? "Resume updates" : "Pause updates";
  if (!paused) refresh();
});

refresh();
setInterval(refresh, POLL_MS);
