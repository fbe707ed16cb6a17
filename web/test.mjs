// `npm test`: type-checks web/test/ (tsc, strict), bundles each *.test.ts with esbuild
// into a temporary folder and runs the results with node's built-in test runner.
import * as esbuild from "esbuild";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
execFileSync(process.execPath, [join(here, "node_modules", "typescript", "bin", "tsc"),
  "-p", join(here, "tsconfig.test.json")], { stdio: "inherit" });
const tests = readdirSync(join(here, "test")).filter((n) => n.endsWith(".test.ts"));
const out = mkdtempSync(join(tmpdir(), "caravan-ui-test-"));
try {
  await esbuild.build({
    entryPoints: tests.map((n) => join(here, "test", n)),
    bundle: true, platform: "node", format: "esm", target: "node18",
    outdir: out, outExtension: { ".js": ".mjs" }, logLevel: "warning",
  });
  const built = readdirSync(out).map((n) => join(out, n));
  const run = spawnSync(process.execPath, ["--test", ...built], { stdio: "inherit" });
  process.exitCode = run.status ?? 1;
} finally {
  rmSync(out, { recursive: true, force: true });
}
