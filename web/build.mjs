// Bundles src/ into ../caravan/ui/static/: assets/main-<hash>.js and .css, and the page
// shell index.html naming them. Run by scripts/setup (`npm run build`), after `tsc --noEmit`.
import * as esbuild from "esbuild";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "caravan", "ui", "static");
const assets = join(out, "assets");

rmSync(out, { recursive: true, force: true });
mkdirSync(assets, { recursive: true });

const result = await esbuild.build({
  entryPoints: [join(here, "src", "main.ts")],
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2022",
  outdir: assets,
  entryNames: "[name]-[hash]",
  assetNames: "[name]-[hash]",
  metafile: true,
  legalComments: "eof",
  logLevel: "warning",
});

const built = Object.keys(result.metafile.outputs).map((p) => basename(p));
const js = built.find((n) => n.endsWith(".js"));
const css = built.find((n) => n.endsWith(".css"));
if (!js || !css) throw new Error(`build: expected a .js and a .css, got ${built.join(", ")}`);

writeFileSync(join(out, "index.html"), `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>caravan</title>
<link rel="stylesheet" href="/ui/assets/${css}">
<script type="module" src="/ui/assets/${js}"></script>
</head>
<body><div id="app"></div></body>
</html>
`);
console.log(`built ${built.join(", ")} into ${out}`);
