import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Two cores here and in CI: keep the pool small so that CLI subprocess tests do not starve each other.
    maxWorkers: 2,
    testTimeout: 60_000,
    setupFiles: ["test/helpers/fastCheckSeed.ts"],
  },
});
