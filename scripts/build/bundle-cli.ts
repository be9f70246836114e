/**
 * The second half of `npm run build`: bundles the `stepwise` command into one file,
 * dist-js/bin/stepwise.js, with esbuild. `tsc` has type-checked and compiled everything into
 * dist-js/ first; the library (`dist-js/lib`, the package's `main`) stays tsc's output.
 *
 * Why a bundle: a cold `stepwise plan` of a small stack spent ~20 of its ~125 ms finding and
 * reading files, stepwise's own ~200 modules and zod's ~90; bundled, `plan` and `check` start
 * 10–18 ms sooner than before the zod schema (docs/performance.md). Every other package stays an
 * ordinary `require` from node_modules: the heavy ones (cdk8s, the Kubernetes schemas, the Pulumi
 * SDK) load only in the commands that need them, and the `yaml` package only for a stack file the
 * fast reader leaves alone, which test/cli-module-loading.test.ts observes. A command's own
 * modules keep loading lazily: esbuild turns `import('./commands/plan.js')` into a call that runs
 * that part of the bundle on demand.
 *
 * Run `node --enable-source-maps dist-js/bin/stepwise.js …` to see stack traces in lib/*.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';

const ROOT = path.resolve(__dirname, '..', '..');

/** Packages compiled into the bundle: loaded by every command, and made of many small files. */
const BUNDLED_PACKAGES: readonly string[] = ['zod'];

async function main(): Promise<void> {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  for (const name of BUNDLED_PACKAGES)
    if (!(name in manifest.dependencies))
      throw new Error(`${name} is in BUNDLED_PACKAGES but not a dependency in package.json (fix: remove it, or add it to dependencies)`);
  await build({
    entryPoints: [path.join(ROOT, 'bin', 'stepwise.ts')],
    outfile: path.join(ROOT, 'dist-js', 'bin', 'stepwise.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    tsconfig: path.join(ROOT, 'tsconfig.build.json'),
    external: Object.keys(manifest.dependencies).filter((name) => !BUNDLED_PACKAGES.includes(name)),
    sourcemap: 'linked',
    sourcesContent: false,
    logLevel: 'warning',
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`scripts/build/bundle-cli.ts: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
