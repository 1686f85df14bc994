/**
 * JSON artifacts the commands write (`--json-output`): written atomically, relative paths
 * resolved against the project directory.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";

/**
 * Writes `data` as indented JSON.
 *
 * @param projectDir - base of a relative `file`
 * @param file - the artifact's path
 * @param data - the (already schema-validated) content
 * @returns the absolute path written
 */
export async function writeArtifact(projectDir: string, file: string, data: unknown): Promise<string> {
  const target = path.resolve(projectDir, file);
  await fs.mkdir(path.dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.tmp`;
  await fs.writeFile(tmp, `${JSON.stringify(data, null, 2)}\n`);
  await fs.rename(tmp, target);
  return target;
}
