/**
 * Runtime mocks do not run commands: this stands in for the static-bundle build of a
 * `command:local:Command`, answering with the report the real build would print.
 */
import { digestDir } from "../../providers/targets/bundle";

function arg(command: string, name: string): string {
  const m = new RegExp(`--${name} ("[^"]*"|\\S+)`).exec(command);
  if (!m?.[1]) throw new Error(`mock build: no --${name} in ${command}`);
  return m[1].startsWith('"') ? (JSON.parse(m[1]) as string) : m[1];
}

/** The state a build command's resource gets: its inputs plus the report on stdout. */
export async function mockBuildState(inputs: Record<string, unknown>): Promise<Record<string, unknown>> {
  const create = String(inputs.create);
  const source = arg(create, "source");
  const { digest, files } = await digestDir(source);
  const report = {
    schema: "glidepath.build-report/v1",
    app: arg(create, "app"),
    version: arg(create, "version"),
    builder: "static-copy",
    sourceDigest: digest,
    bundleDigest: digest,
    files,
    outDir: arg(create, "out"),
  };
  return { ...inputs, stdout: JSON.stringify(report), stderr: "" };
}
