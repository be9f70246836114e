/**
 * The second half of `npm run build`: bundles the `stepwise` command into one file,
 * dist-js/bin/stepwise.js, with esbuild. `tsc` has type-checked and compiled everything into
 * dist-js/ first; the library (`dist-js/lib`, the package's `main`) stays tsc's output.
 *
 * Why a bundle: a cold `stepwise plan` spends a sixth of its time resolving and reading files —
 * stepwise's own ~200 modules and zod's ~90. In one file, `plan` and `check` of a small stack
 * start ~20 ms sooner (docs/performance.md). Every other package stays an ordinary `require` from
 * node_modules: the heavy ones (cdk8s, the Kubernetes schemas, the Pulumi SDK) load only in the
 * commands that need them, and the YAML libraries only for the files that need them, which
 * test/cli-module-loading.test.ts observes. A command's own modules keep loading lazily: esbuild
 * turns `import('./commands/plan.js')` into a call that runs that part of the bundle on demand.
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
    if (!(name in manifest.dependencies)) throw new Error(`scripts/build/bundle-cli.ts: ${name} is not a dependency in package.json`);
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
