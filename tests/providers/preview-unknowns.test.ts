/**
 * During a preview, inputs computed by other resources (a build's report) reach `check` as
 * Pulumi's unknown sentinel. They are not judged then (the update's check judges them), but
 * every known input still is.
 */
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { describe, expect, it } from "vitest";
import { releaseProvider } from "../../providers/release";
import { wasmDeliverableProvider } from "../../providers/wasm-deliverable";

/**
 * The value Pulumi's dynamic-provider host passes for an unknown, taken from the SDK itself so
 * that a change of the sentinel upstream fails here (the provider keeps its own copy, since its
 * code is serialized without imports). The e2e `check` run is the end-to-end guard.
 */
const UNKNOWN = unknownValue;

describe("check with inputs not known yet", () => {
  it("passes a release whose digest and source come from a build still to run", async () => {
    const news = { app: "wix", version: "v2", digest: UNKNOWN, source: UNKNOWN, root: "/srv/t" };
    expect(await releaseProvider.check?.({} as never, news as never)).toEqual({ inputs: news });
  });

  it("still fails the known inputs, and only those", async () => {
    const news = { app: "Wix!", version: "v2", digest: UNKNOWN, source: UNKNOWN, root: "relative" };
    const r = await releaseProvider.check?.({} as never, news as never);
    expect(r?.failures?.map((f) => f.property).sort()).toEqual(["app", "root"]);
  });

  it("does not inspect a WASM module that is not built yet", async () => {
    const news = {
      blueprintId: "edge",
      module: UNKNOWN,
      sha256: UNKNOWN,
      runtimeProfile: "wasm_wasi",
      allowNonCompliant: false,
      root: "/srv/t",
    };
    expect(await wasmDeliverableProvider.check?.({} as never, news as never)).toEqual({ inputs: news });
  });
});
