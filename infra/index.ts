/**
 * The glidepath Pulumi program. It only composes: config → one component per concern.
 */
import { AppFlags } from "./app-flags";
import { loadProgramConfig } from "./load-config";

const config = loadProgramConfig();

const flagsByApp = Object.fromEntries(
  Object.keys(config.apps)
    .sort()
    .map((app) => [app, new AppFlags(app, { app, flags: config.flags[app] ?? {}, root: config.localRoot })]),
);

/** Per app: flag key → value, as published on the target. */
export const flags = Object.fromEntries(Object.entries(flagsByApp).map(([app, c]) => [app, c.values]));
/** Per app: flag key → file on the local target. */
export const flagFiles = Object.fromEntries(Object.entries(flagsByApp).map(([app, c]) => [app, c.files]));
/** The environment this stack describes. */
export const environment = config.environment;
/** Root of the local target. */
export const localRoot = config.localRoot;
