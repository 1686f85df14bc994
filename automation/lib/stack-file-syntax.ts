/**
 * The YAML syntax of a stack file (`Pulumi.<stack>.yaml`), checked before the Pulumi CLI reads
 * it: the CLI's own complaint ("invalid YAML file: yaml: line 14: …") arrives through the
 * Automation API as an unexplained command failure, with a `pulumi config` command line.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { parseDocument } from "yaml";
import { GlidepathError } from "./errors";

/** Where and why a YAML text does not parse. */
export interface YamlSyntaxIssue {
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  col: number;
  /** The parser's message, first line only. */
  message: string;
}

/**
 * The first syntax error of a YAML text (pure), or undefined when it parses. Tab indentation,
 * an unclosed quote or bracket, and duplicate keys are all errors.
 *
 * @param text - the YAML text
 */
export function yamlSyntaxIssue(text: string): YamlSyntaxIssue | undefined {
  const doc = parseDocument(text, { prettyErrors: true });
  const first = doc.errors[0];
  if (first === undefined) return undefined;
  const pos = first.linePos?.[0] ?? { line: 1, col: 1 };
  const message = (first.message.split("\n")[0] ?? first.code).replace(/ at line \d+, column \d+:?$/, "");
  return { line: pos.line, col: pos.col, message };
}

/**
 * The `GP_CONFIG_INVALID` error of a stack file whose YAML does not parse, naming the file and
 * the line; undefined when it parses or does not exist (a stack without config).
 *
 * @param projectDir - the project directory
 * @param stack - the stack name
 */
export async function stackFileSyntaxError(
  projectDir: string,
  stack: string,
): Promise<GlidepathError | undefined> {
  const file = path.join(projectDir, `Pulumi.${stack}.yaml`);
  const text = await fs.readFile(file, "utf8").catch((e: NodeJS.ErrnoException) => {
    if (e.code === "ENOENT") return undefined;
    throw e;
  });
  const issue = text === undefined ? undefined : yamlSyntaxIssue(text);
  if (issue === undefined) return undefined;
  return new GlidepathError(
    "GP_CONFIG_INVALID",
    `${file} is not valid YAML: line ${issue.line}, column ${issue.col}: ${issue.message}; nothing was changed`,
    `correct line ${issue.line} of ${file} (indent with spaces, not tabs; close every quote and bracket), then run the command again`,
  );
}
