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

/** Sets a node's text only when it changed (a live region then speaks only real news). */
function say(node, text) {
  if (node.textContent !== text) node.textContent = text;
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
  const chip = el("p", { class: "chip", "data-state": "no-data", "data-app": app }, "… waiting for data");
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
    say(c.fields.stable, "no route published");
    c.chip.dataset.state = "no-data";
    say(c.chip, "… no route published yet");
    return "no-data";
  }
  const r = a.route;
  const ramp = status.host?.ramp;
  say(c.fields.stable, `${a.app}@${r.stable.version}`);
  say(c.fields.canary, r.canary ? `${a.app}@${r.canary.version} at ${r.weight}%` : "none");
  say(
    c.fields.ramp,
    ramp?.apps?.includes(a.app)
      ? `${ramp.version}, step ${ramp.step + 1} at ${ramp.weight}%`
      : "no ramp in progress",
  );
  say(c.fields.stableSlo, sloText(a.stable));
  say(c.fields.canarySlo, sloText(a.canary));
  const weight = r.canary ? r.weight : 0;
  c.weight.value = weight;
  say(c.weight, `${weight}%`);
  c.weight.setAttribute("aria-valuetext", `${weight}% of traffic on the canary`);
  const judged = r.canary ? a.canary : a.stable;
  const chip = chipState(judged, status.minScore, status.minRequests);
  c.chip.dataset.state = chip.state;
  say(c.chip, `${chip.text} · ${r.canary ? "canary" : "stable"}`);
  return chip.state;
}

function verdictClass(e) {
  if (e.phase === "rollback:triggered" || e.verdict === "fail") return "verdict verdict-fail";
  if (e.phase === "deploy:complete" || e.verdict === "pass") return "verdict verdict-pass";
  if (e.verdict === "insufficient_traffic") return "verdict verdict-hold";
  return "verdict";
}

function verdictText(e) {
  return e.verdict ? `${e.phase}: gate ${e.verdict.replace("_", " ")}` : e.phase.replace(":", " ");
}

function renderUpdate(u, open) {
  const events = u.events || [];
  const details = el("details", { "data-version": String(u.version) });
  if (open.has(String(u.version))) details.open = true;
  const when = new Date(u.at).toLocaleTimeString();
  const verdicts = events.map(verdictText).join(", ");
  const summary = `#${u.version} · ${when} · ${u.message || u.kind} — ${u.result}`;
  details.append(el("summary", {}, verdicts ? `${summary} — ${verdicts}` : summary));
  const body = el("div");
  body.append(el("p", { class: "muted" }, `${u.kind} started ${new Date(u.at).toLocaleString()}`));
  if (events.length === 0) body.append(el("p", { class: "muted" }, "No gate verdicts recorded."));
  for (const e of events) {
    const line = el("p");
    line.append(el("span", { class: verdictClass(e) }, verdictText(e)));
    if (e.reason) line.append(document.createTextNode(` (${e.reason})`));
    body.append(line);
  }
  details.append(body);
  const li = el("li");
  li.append(details);
  return li;
}

function renderHistory(host) {
  const list = document.getElementById("history");
  const updates = host?.updates || [];
  const text = JSON.stringify(host?.error ? { error: host.error } : updates);
  // Unchanged, or the reader is inside the list: leave it as it is.
  if (text === lastHistory || list.contains(document.activeElement)) return;
  lastHistory = text;
  const open = new Set([...list.querySelectorAll("details[open]")].map((d) => d.dataset.version));
  list.replaceChildren();
  if (host?.error) list.append(el("li", { class: "error" }, `History unavailable: ${host.error}`));
  else if (updates.length === 0) list.append(el("li", { class: "muted" }, "No updates recorded yet."));
  for (const u of updates) list.append(renderUpdate(u, open));
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
    say(
      summary,
      breaches.length
        ? `SLO breach on ${breaches.join(", ")} (minimum ${status.minScore}%).`
        : `All apps meet their SLO or are collecting data (minimum ${status.minScore}%).`,
    );
    say(document.getElementById("updated"), `Updated ${new Date(status.at).toLocaleTimeString()}.`);
    if (!loaded) {
      loaded = true;
      document.body.dataset.loaded = "true";
    }
  } catch (e) {
    summary.classList.add("error");
    say(summary, `Error: cannot read the rollout status (${e.message}). Retrying every ${POLL_MS / 1000} s.`);
  }
}

/** Polls without overlap: the next poll is scheduled when this one has finished. */
async function poll() {
  await refresh();
  setTimeout(poll, POLL_MS);
}

document.getElementById("pause").addEventListener("click", (ev) => {
  paused = !paused;
  ev.currentTarget.setAttribute("aria-pressed", String(paused));
  ev.currentTarget.textContent = paused ? "Resume updates" : "Pause updates";
  if (!paused) refresh();
});

poll();
