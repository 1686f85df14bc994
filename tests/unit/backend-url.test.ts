/**
 * Backend URLs as the driver lock sees them: file and postgres are locked, the rest refused
 * for stack-changing commands, and no credential is ever shown.
 */
import { describe, expect, it } from "vitest";
import { assertLockableBackend, lockBackendOf } from "../../automation/lib/backend-url";
import { advisoryKey } from "../../automation/lib/driver/advisory-key";

describe("lockBackendOf", () => {
  it("reads a file backend's directory", () => {
    expect(lockBackendOf("file:///srv/state")).toEqual({ kind: "file", dir: "/srv/state" });
  });

  it("reads Pulumi's table and key prefix from a postgres URL, and keeps the password out of what is shown", () => {
    const b = lockBackendOf("postgres://gp:s3cret@db.internal:5433/pulumi?sslmode=require&table=My_State");
    expect(b).toEqual({
      kind: "postgres",
      connectionString: "postgres://gp:s3cret@db.internal:5433/pulumi?sslmode=require",
      table: "my_state",
      prefix: "pulumi/",
      shown: "postgres://db.internal:5433/pulumi?sslmode=***&table=***",
    });
    expect(lockBackendOf("postgres://")).toMatchObject({
      kind: "postgres",
      table: "pulumi_state",
      prefix: "",
    });
  });

  it("refuses a table Pulumi would not take as a plain name (exit 2), without the password", () => {
    let err: unknown;
    try {
      lockBackendOf("postgres://gp:s3cret@db/pulumi?table=x;drop");
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: "GP_BACKEND_UNSUPPORTED", exitCode: 2 });
    expect((err as Error).message).toContain('table="x;drop"');
    expect((err as Error).message).not.toContain("s3cret");
  });

  it("refuses s3, gs, azblob and any other backend for stack-changing commands, naming the supported ones", () => {
    for (const url of [
      "s3://bucket/prefix?region=eu-west-1",
      "gs://bucket",
      "azblob://container",
      "https://api.pulumi.com",
    ]) {
      expect(lockBackendOf(url)).toMatchObject({ kind: "unsupported" });
      expect(() => assertLockableBackend(url)).toThrow(
        expect.objectContaining({
          code: "GP_BACKEND_UNSUPPORTED",
          exitCode: 2,
          remedy: expect.stringContaining("postgres://"),
        }),
      );
    }
    expect(() => assertLockableBackend("s3://b?access_key=AKIA-secret")).toThrow(
      /s3:\/\/b\?access_key=\*\*\*/,
    );
    expect(() => assertLockableBackend(undefined)).not.toThrow();
    expect(() => assertLockableBackend("postgres://db/state")).not.toThrow();
  });
});

describe("advisoryKey", () => {
  it("is the same on every machine for a stack, different across stacks, and matches pg_locks' halves", () => {
    const k = advisoryKey("pulumi_state", "glidepath", "local");
    expect(advisoryKey("pulumi_state", "glidepath", "local")).toEqual(k);
    expect(advisoryKey("pulumi_state", "glidepath", "staging").key).not.toBe(k.key);
    expect(advisoryKey("other_state", "glidepath", "local").key).not.toBe(k.key);
    const big = BigInt.asUintN(64, BigInt(k.key));
    expect(Number(big >> 32n)).toBe(k.classid);
    expect(Number(big & 0xffffffffn)).toBe(k.objid);
  });
});
