// Bundles the CLI into dist/rxlab.mjs and the library (src/index.ts, what `import … from
// 'rxlab'` gives) into dist/index.mjs with its type declarations in dist/types/ (run by
// `npm install` through `prepare`, and by `npm pack` before packing).
// A bundle starts several times faster than hundreds of modules transpiled by tsx on
// every run; bin/rxlab.js falls back to the sources when the bundle is missing or stale.
// Code splitting keeps tfjs and vega in chunks of their own, loaded only by the stages
// that train or draw: a cached re-run, `plan` or a rejected file never parse them.
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';
import { tsImport } from 'tsx/esm/api';

// `node scripts/build.mjs [OUTDIR]`: dist/ by default; the package test builds a copy elsewhere.
const outdir = process.argv[2] ?? 'dist';
// Chunk names carry content hashes: start clean so old chunks do not pile up.
rmSync(outdir, { recursive: true, force: true });

// rxlab's own schemas compiled ahead of time, in place of the empty
// src/engine/load/precompiled-validators.ts: a run then validates without compiling them.
const { precompiledValidatorsSource } = await tsImport('./precompile-validators.ts', import.meta.url);
const precompiledValidators = {
  name: 'precompiled-validators',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]engine[\\/]load[\\/]precompiled-validators\.ts$/ }, () => ({
      contents: precompiledValidatorsSource(),
      loader: 'js',
      resolveDir: resolve('src/engine/load'),
    }));
  },
};

// rxjs's package exports send Node to its CommonJS build, which sets up every operator at
// start-up; its ES module build is the same code and lets esbuild keep only what rxlab
// uses, so every command starts sooner.
const rxjs = dirname(createRequire(import.meta.url).resolve('rxjs/package.json'));

await build({
  // The chart renderer runs on a worker thread, from a file of its own. The CLI and the
  // library share their chunks, so a user's stage importing 'rxlab' gets the very
  // defineStage the CLI that loads it has.
  entryPoints: { rxlab: 'src/cli.ts', index: 'src/index.ts', 'render-worker': 'src/charts/render-worker.ts' },
  outdir,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  // Less text to decode and compile at every start; names are kept for readable stack traces.
  minifyWhitespace: true,
  minifySyntax: true,
  platform: 'node',
  // ES module builds where a package has them (TensorFlow.js's parts): unused exports are
  // dropped, which makes the ml chunk smaller and quicker to load.
  mainFields: ['module', 'main'],
  format: 'esm',
  target: 'node20',
  // Loaded at run time from node_modules: tfjs-node is optional and native, the wasm
  // backend finds its .wasm files beside itself, and tsx is registered only for users' .ts stages.
  external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-backend-wasm', 'tsx', 'tsx/*'],
  // tfjs and others are CommonJS and call require(): give the ESM bundle one.
  banner: { js: "import { createRequire as __rxlabRequire } from 'node:module'; const require = __rxlabRequire(import.meta.url);" },
  alias: { rxjs: join(rxjs, 'dist/esm/index.js'), 'rxjs/operators': join(rxjs, 'dist/esm/operators/index.js') },
  plugins: [precompiledValidators],
  logLevel: 'warning',
});

// Type declarations of the library, for TypeScript users and editors (package.json's
// `exports` points `types` at them). Only when TypeScript is installed: an install of the
// packed tarball has the declarations already and no dev dependencies.
const tsc = (() => {
  try {
    return createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    return undefined;
  }
})();
if (tsc) execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', join(outdir, 'types')], { stdio: 'inherit' });
