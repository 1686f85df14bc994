/**
 * Runtime mocks do not run commands: this stands in for the builds of `command:local:Command`
 * resources (a release's static bundle, a WASM deliverable's module), answering with the
 * report the real build would print.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs/promises";
import type * as pulumi from "@pulumi/pulumi";
import { buildArgument } from "../../infra/build-command";
import { assembleWat } from "../../infra/wat";
import { digestDir } from "../../providers/targets/bundle";

/** A build argument, read where the build receives it: the command's environment. */
function arg(inputs: Record<string, unknown>, name: string): string {
  const value = buildArgument((inputs.environment ?? {}) as Record<string, unknown>, name);
  if (value === undefined) throw new Error(`mock build: no --${name} in ${JSON.stringify(inputs)}`);
  return value;
}

const sha256 = (data: Uint8Array | string) => crypto.createHash("sha256").update(data).digest("hex");

/**
 * The bundle digest the mock build reports for a source digest. It differs from the source
 * digest on purpose, so a test can tell which of the two reached a resource.
 *
 * @param sourceDigest - the digest of the release's source directory
 */
export const mockBundleDigest = (sourceDigest: string): string => sha256(`mock-bundle\0${sourceDigest}`);

async function report(inputs: Record<string, unknown>): Promise<Record<string, unknown>> {
  const source = arg(inputs, "source");
  if (arg(inputs, "script").endsWith("wasm-module.js")) {
    const text = await fs.readFile(source, "utf8");
    const bytes = await assembleWat(text);
    return {
      schema: "glidepath.wasm-build-report/v1",
      blueprintId: arg(inputs, "id"),
      builder: arg(inputs, "builder"),
      sourceDigest: sha256(text),
      artifactSha256: sha256(bytes),
      artifactSizeBytes: bytes.length,
      outFile: arg(inputs, "out"),
    };
  }
  const { digest, files } = await digestDir(source);
  return {
    schema: "glidepath.build-report/v1",
    app: arg(inputs, "app"),
    version: arg(inputs, "version"),
    builder: "static-copy",
    sourceDigest: digest,
    bundleDigest: mockBundleDigest(digest),
    files,
    outDir: arg(inputs, "out"),
  };
}

/** The state a build command's resource gets: its inputs plus the report on stdout. */
export async function mockBuildState(inputs: Record<string, unknown>): Promise<Record<string, unknown>> {
  return { ...inputs, stdout: JSON.stringify(await report(inputs)), stderr: "" };
}

/** A resource the mocks saw registered. */
export interface Created {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

/**
 * Runtime mocks that record every registration into `created`, answer build commands with
 * their report, and every other resource with `stateOf` its inputs.
 *
 * @param created - where registrations are recorded
 * @param stateOf - the state of a non-build resource
 */
export function mocksWithBuilds(
  created: Created[],
  stateOf: (inputs: Record<string, unknown>, name: string) => Record<string, unknown>,
): pulumi.runtime.Mocks {
  return {
    async newResource(args) {
      created.push({ type: args.type, name: args.name, inputs: args.inputs });
      const state =
        args.type === "command:local:Command"
          ? await mockBuildState(args.inputs)
          : stateOf(args.inputs, args.name);
      return { id: `${args.name}-id`, state };
    },
    call: (args) => args.inputs,
  };
}
