/**
 * What every command needs before it can talk to a stack: the project directory, the
 * toolchain, and the opened stack.
 */
import * as path from "node:path";
import { ensureCommandPlugin } from "./command-plugin";
import { assertPassphrase } from "./env";
import { ensureToolchain, type Toolchain } from "./toolchain";
import { type OpenedStack, openStack } from "./workspace";

/** The repository root when running from `dist/automation/lib` or `automation/lib`. */
export function packageRoot(): string {
  // dist/automation/lib when compiled, automation/lib when run from source (tests)
  const compiled = path.basename(path.resolve(__dirname, "../..")) === "dist";
  return path.resolve(__dirname, compiled ? "../../.." : "../..");
}

/** Options of {@link stackContext}. */
export interface StackContextOptions {
  /** Stack name. */
  stack: string;
  /** Project directory. @default - {@link packageRoot} */
  projectDir?: string;
  /** Progress lines (toolchain provisioning). @default - none */
  progress?: (line: string) => void;
}

/** A toolchain plus an opened stack. */
export interface StackContext extends OpenedStack {
  /** The resolved toolchain. */
  toolchain: Toolchain;
  /** The project directory. */
  projectDir: string;
}

/** Resolves the toolchain and opens the stack. */
export async function stackContext(opts: StackContextOptions): Promise<StackContext> {
  const projectDir = path.resolve(opts.projectDir ?? packageRoot());
  assertPassphrase(opts.stack);
  const toolchain = await ensureToolchain({ projectDir: packageRoot(), progress: opts.progress });
  await ensureCommandPlugin(projectDir);
  const opened = await openStack({ projectDir, stack: opts.stack, toolchain });
  return { ...opened, toolchain, projectDir };
}
