/**
 * What the driver reports while it runs: a typed event stream the CLI renders (`render.ts`)
 * and tests assert on.
 */
import type { BakeProgress, BakeResult } from "./bake";

/** One driver event. */
export type DriverEvent =
  | { type: "resume"; step: number; weight: number; applied: boolean }
  | { type: "step"; step: number; weight: number; message: string }
  | { type: "applied"; step: number; weight: number; ms: number }
  | { type: "round"; step: number; weight: number; progress: BakeProgress }
  | { type: "verdict"; step: number; weight: number; verdict: BakeResult["verdict"] }
  | { type: "rollback"; reason: string }
  | { type: "rolled-back"; message: string; ms: number }
  | { type: "promote"; message: string }
  | { type: "closing"; phase: "rolling_back" | "promoting"; version: string }
  | { type: "interrupted"; signal: string; live: boolean }
  | { type: "warning"; message: string }
  /** The edge serves the step's routes (apps behind the Cloudflare edge): ms until each was seen. */
  | { type: "propagated"; step: number; weight: number; seenAfterMs: Record<string, number> };
