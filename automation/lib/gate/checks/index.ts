/** The deploy gate's checks, in the order they run and print. Adding a check is one line here. */
import { baselineCheck } from "./baseline";
import { configCheck } from "./config";
import type { GateCheck } from "./context";
import { evidenceCheck } from "./evidence";
import { healthCheck } from "./health";
import { preflightCheck } from "./preflight";
import { reproducibleCheck } from "./reproducible";
import { rollingBackCheck } from "./rolling-back";
import { wasmCheck } from "./wasm";

/** Every check of the gate. */
export const GATE_CHECKS: readonly GateCheck[] = [
  configCheck,
  preflightCheck,
  reproducibleCheck,
  wasmCheck,
  baselineCheck,
  evidenceCheck,
  rollingBackCheck,
  healthCheck,
];
