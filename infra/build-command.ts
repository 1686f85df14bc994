/**
 * The shell text and environment of a build `local.Command`. The command provider runs
 * `create` and `delete` through `/bin/sh -c`, so no path is ever written into that text:
 * each argument travels in the command's `environment` and the text only names variables
 * (`"$GP_BUILD_SOURCE"`), which the shell expands without parsing their values again. A
 * project path or release source containing `$(…)`, backticks or quotes is data.
 */
import type * as pulumi from "@pulumi/pulumi";

/** The inputs of a build command that carry its arguments. */
export interface BuildCommandInputs {
  /** `node "$GP_BUILD_SCRIPT" --<name>="$GP_BUILD_<NAME>" …`. */
  create: string;
  /** Removes the build's output: `rm -rf -- "$GP_BUILD_OUT"` (or `rm -f` for a file). */
  delete: string;
  /** `GP_BUILD_SCRIPT`, and `GP_BUILD_<NAME>` per argument. */
  environment: Record<string, pulumi.Input<string>>;
}

/** The variable that carries argument `name` (`report` → `GP_BUILD_REPORT`). */
function variable(name: string): string {
  return `GP_BUILD_${name.toUpperCase()}`;
}

/**
 * A build command: `node <script>` with `--<name>=<value>` per argument, every value passed
 * through the environment.
 *
 * @param script - absolute path of the build script
 * @param args - argument name (lower-case letters) → value; must include `out`
 * @param out - what `out` is: a directory (`rm -rf`) or a file (`rm -f`)
 */
export function buildCommand(
  script: string,
  args: Readonly<Record<string, pulumi.Input<string>>> & { out: pulumi.Input<string> },
  out: "dir" | "file",
): BuildCommandInputs {
  const names = Object.keys(args);
  for (const n of names) if (!/^[a-z]+$/.test(n)) throw new Error(`build argument "${n}": expected a-z only`);
  const environment: Record<string, pulumi.Input<string>> = { GP_BUILD_SCRIPT: script };
  for (const n of names) environment[variable(n)] = args[n] as pulumi.Input<string>;
  return {
    create: `node "$GP_BUILD_SCRIPT" ${names.map((n) => `--${n}="$${variable(n)}"`).join(" ")}`,
    delete: `rm ${out === "dir" ? "-rf" : "-f"} -- "$${variable("out")}"`,
    environment,
  };
}

/**
 * The value of argument `name` in a build command's environment (what the build receives).
 *
 * @param environment - the command's `environment`
 * @param name - argument name
 * @returns the value, or undefined when the command has no such argument
 */
export function buildArgument(
  environment: Readonly<Record<string, unknown>>,
  name: string,
): string | undefined {
  const v = environment[variable(name)];
  return typeof v === "string" ? v : undefined;
}
