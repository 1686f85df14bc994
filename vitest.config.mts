import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    globalSetup: ["tests/helpers/build.ts"],
    // Pulumi's closure serializer and runtime mocks use process-wide state: one fork per file.
    pool: "forks",
    // The e2e tier drives the real engine; each `up` takes seconds.
    testTimeout: 180_000,
    hookTimeout: 600_000,
    // e2e files share one machine's CPU; run files one at a time to keep timings honest.
    fileParallelism: false,
    // The last line of every run counts what ran and what was skipped, and why.
    reporters: ["default", "./tests/helpers/run-summary.ts"],
  },
});
