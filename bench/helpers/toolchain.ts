/**
 * The toolchain every benchmark needs: the Pulumi CLI and language host, and the command
 * plugin the program's builds use (raw `pulumi up` runs do not install it themselves).
 */
import { ensureCommandPlugin } from "../../automation/lib/command-plugin";
import { ensureToolchain, type Toolchain } from "../../automation/lib/toolchain";
import { ROOT } from "./scratch-project";

/** Resolves (or provisions) the toolchain and the command plugin, progress on stderr. */
export async function benchToolchain(): Promise<Toolchain> {
  const tc = await ensureToolchain({ projectDir: ROOT, progress: (l) => console.error(l) });
  await ensureCommandPlugin(ROOT);
  return tc;
}
