/**
 * Waiting for the edge to serve a step's route before the step is judged. Workers KV is
 * eventually consistent (a write can take about 60 s to reach every location), so right after
 * an `up` the edge may still split traffic by the previous route, and a bake started then would
 * judge the wrong weight. The edge names the route revision it served in every answer
 * (`x-glidepath-route-revision`); the driver probes each app until the revision it just wrote is
 * served, or until the stated bound passes (then the bake starts anyway and a warning says so:
 * by then the documented propagation time is over).
 */

/** The header the edge names its route's revision in. */
export const ROUTE_REVISION_HEADER = "x-glidepath-route-revision";

/** Options of {@link waitForRoutes}. */
export interface WaitForRoutesOptions {
  /** Where visitors reach the edge, e.g. `https://edge.example.com`. */
  edgeUrl: string;
  /** Per app, the revision the step wrote. */
  expected: Readonly<Record<string, string>>;
  /** The bound (ms). */
  timeoutMs: number;
  /** Time between probes (ms). @default 1000 */
  intervalMs?: number;
  /** The probe's HTTP client. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Clock. @default Date.now */
  now?: () => number;
  /** Ends the wait early (a signal). @default - never */
  signal?: AbortSignal;
}

/** What the wait saw. */
export interface RoutesSeen {
  /** Per app whose revision was served: ms from the start of the wait until it was. */
  seenAfterMs: Record<string, number>;
  /** Apps whose revision was not served within the bound, with the revision last seen. */
  timedOut: Record<string, string | null>;
}

/**
 * Probes `GET <edgeUrl>/<app>/` (as one fixed visitor) until each app's expected revision is served.
 *
 * @param opts - the edge, the revisions, the bound
 */
export async function waitForRoutes(opts: WaitForRoutesOptions): Promise<RoutesSeen> {
  const get = opts.fetch ?? fetch;
  const now = opts.now ?? Date.now;
  const start = now();
  const seenAfterMs: Record<string, number> = {};
  const last: Record<string, string | null> = {};
  const pending = new Set(Object.keys(opts.expected));
  const base = opts.edgeUrl.replace(/\/+$/, "");
  for (;;) {
    await Promise.all(
      [...pending].map(async (app) => {
        const res = await get(`${base}/${app}/`, {
          headers: { "x-glidepath-visitor": "glidepath-propagation-probe" },
          redirect: "manual",
          signal: AbortSignal.timeout(5000),
        }).catch(() => undefined);
        await res?.body?.cancel().catch(() => undefined);
        const revision = res?.headers.get(ROUTE_REVISION_HEADER) ?? null;
        last[app] = revision;
        if (revision === opts.expected[app]) {
          seenAfterMs[app] = now() - start;
          pending.delete(app);
        }
      }),
    );
    if (pending.size === 0 || opts.signal?.aborted || now() - start >= opts.timeoutMs) break;
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 1000));
  }
  return { seenAfterMs, timedOut: Object.fromEntries([...pending].map((app) => [app, last[app] ?? null])) };
}

/** What {@link awaitStepRoutes} needs of the stack. */
export interface StepRoutesContext {
  /** The stack's outputs after the step's update (`routeRevisions` per app). */
  outputs(): Promise<Record<string, { value: unknown }>>;
}

/**
 * After a step's update: when the ramp's apps sit behind the Cloudflare edge, waits for the edge
 * to serve the routes the update wrote (the stack output `routeRevisions`), at most
 * `glidepath:targets.cloudflare.propagationTimeoutSeconds`. Nothing to wait for on `local`.
 *
 * @param stack - the stack (its outputs)
 * @param cfg - the config the step applied
 * @param apps - the ramp's apps
 * @param warn - prints a warning (a route not served within the bound)
 * @param opts - probe overrides (tests) @default - none
 * @returns what the wait saw, or undefined when there was nothing to wait for
 */
export async function awaitStepRoutes(
  stack: StepRoutesContext,
  cfg: {
    apps: Readonly<Record<string, { target: string }>>;
    targets: { cloudflare?: { edgeUrl: string; propagationTimeoutSeconds: number } };
  },
  apps: readonly string[],
  warn: (message: string) => void,
  opts: Pick<WaitForRoutesOptions, "fetch" | "intervalMs" | "signal"> = {},
): Promise<RoutesSeen | undefined> {
  const edge = cfg.targets.cloudflare;
  const remote = apps.filter((a) => (cfg.apps[a]?.target ?? "local") !== "local");
  if (edge === undefined || remote.length === 0) return undefined;
  const revisions = ((await stack.outputs()).routeRevisions?.value ?? {}) as Record<string, unknown>;
  const expected = Object.fromEntries(
    remote.flatMap((a) => (typeof revisions[a] === "string" ? [[a, revisions[a] as string]] : [])),
  );
  const seen = await waitForRoutes({
    edgeUrl: edge.edgeUrl,
    expected,
    timeoutMs: edge.propagationTimeoutSeconds * 1000,
    ...opts,
  });
  for (const [app, last] of Object.entries(seen.timedOut)) {
    warn(
      `${app}: the edge at ${edge.edgeUrl} did not serve route ${expected[app]} within ` +
        `${edge.propagationTimeoutSeconds} s (last seen: ${last ?? "no revision"}); judging the step anyway`,
    );
  }
  return seen;
}
