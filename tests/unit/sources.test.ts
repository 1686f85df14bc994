/**
 * Release sources are checked on real paths before any update, links inside them included: a
 * link that leaves its bundle is refused at config time with the key, the link and where it
 * leads, the same rule the Release provider applies when it publishes.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeEach, expect, it } from "vitest";
import { sourceIssues } from "../../infra/sources";

let project: string;
const releases = (source: string) => ({ wix: { stable: { version: "v1", source } } });

beforeEach(() => {
  project = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "gp-sources-")));
  fs.mkdirSync(path.join(project, "apps/wix/v1/assets"), { recursive: true });
  fs.writeFileSync(path.join(project, "apps/wix/v1/index.html"), "<p>v1</p>");
});

it("accepts a bundle whose links stay inside it", () => {
  fs.symlinkSync("../index.html", path.join(project, "apps/wix/v1/assets/home.html"));
  expect(sourceIssues({ releases: releases("apps/wix/v1"), wasm: {} }, project)).toEqual([]);
});

it("refuses a link inside a source that leads to a system directory, naming the link and its target", () => {
  fs.symlinkSync("/usr/share", path.join(project, "apps/wix/v1/assets/share"));
  expect(sourceIssues({ releases: releases("apps/wix/v1"), wasm: {} }, project)).toEqual([
    {
      path: "glidepath:releases.wix.stable.source",
      message:
        "expected a bundle whose links stay inside it; apps/wix/v1 has 1 that leave it: " +
        `assets/share -> /usr/share (resolves to ${fs.realpathSync("/usr/share")}) ` +
        "(replace each link with the files it points to, or point it inside the bundle)",
    },
  ]);
});

it("refuses a relative link that climbs out of the bundle, even into the project, and a dangling one", () => {
  fs.writeFileSync(path.join(project, "Pulumi.yaml"), "name: x\n");
  fs.symlinkSync("../../../../Pulumi.yaml", path.join(project, "apps/wix/v1/assets/p.yaml"));
  fs.symlinkSync("../../gone", path.join(project, "apps/wix/v1/gone"));
  const [issue, ...rest] = sourceIssues({ releases: releases("apps/wix/v1"), wasm: {} }, project);
  expect(rest).toEqual([]);
  expect(issue?.message).toContain("apps/wix/v1 has 2 that leave it: ");
  expect(issue?.message).toContain(
    `assets/p.yaml -> ../../../../Pulumi.yaml (resolves to ${project}/Pulumi.yaml)`,
  );
  expect(issue?.message).toContain(`gone -> ../../gone (resolves to ${project}/apps/gone)`);
});
