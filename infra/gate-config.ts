/**
 * The deploy gate's settings (`glidepath:gate`): how long a PASS admits a production update.
 * Part of the gate's policy: a verdict is bound to the digest of these settings, so changing
 * them after a PASS asks for a new verdict.
 */
import { z } from "zod";

/** Seconds a PASS admits production updates for, unless `glidepath:gate.ttlSeconds` says otherwise. */
export const GATE_TTL_DEFAULT = 3600;

/** Schema of `glidepath:gate`. */
export const gateConfigSchema = z.strictObject({
  /**
   * Seconds after the gate ran during which its PASS admits a production update.
   * @default 3600
   */
  ttlSeconds: z
    .number({ error: "expected a whole number of seconds from 1 to 604800" })
    .int({ error: "expected a whole number of seconds from 1 to 604800" })
    .min(1, { error: "expected a whole number of seconds from 1 to 604800" })
    .max(604800, { error: "expected a whole number of seconds from 1 to 604800" })
    .default(GATE_TTL_DEFAULT),
});

/** The gate's settings. */
export type GateConfig = z.infer<typeof gateConfigSchema>;
