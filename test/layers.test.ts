import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import * as ts from 'typescript';
import { ROOT } from './support/example-stacks';

/**
 * The layers of lib/, lowest first. A file belongs to the layer of the most specific path that
 * contains it (a file path beats its folder). An import may point to the same layer or a lower
 * one, never a higher one; adapters are the top layer and never import each other.
 */
const LAYERS: readonly { readonly name: string; readonly paths: readonly string[] }[] = [
  // The stack file's schema (zod): its shape, descriptions and defaults, and the JSON Schema and
  // reference generated from it (lib/schema/main.ts writes them; it imports only the schema).
  { name: 'schema', paths: ['lib/schema'] },
  // The pure rollout model (plan, stages, selectors, capacity math, Kubernetes objects as data)
  // and the one file primitive it shares with everything above.
  { name: 'model', paths: ['lib/model', 'lib/files'] },
  // The plan's optional sections and their pure math: traffic routing and sync waves, the
  // metric-gate analysis section (with the PromQL templates and thresholds it is written in).
  {
    name: 'sections',
    paths: ['lib/routing', 'lib/gate/promql.ts', 'lib/gate/threshold.ts', 'lib/gate/verdict.ts'],
  },
  // Stack files: YAML and Pulumi config into one typed stack.
  { name: 'stacks', paths: ['lib/stacks'] },
  // Rendering: the cdk8s constructs, schema validation and YAML.
  { name: 'rendering', paths: ['lib/constructs', 'lib/synth'] },
  // Features over a plan: review (check, diff, plan), the metric gate, export, status.
  { name: 'features', paths: ['lib/review', 'lib/gate', 'lib/export', 'lib/status'] },
  // What the two command lines (`stepwise`, `npm run synth`) share: exit codes, stack names.
  { name: 'command line', paths: ['lib/command-line'] },
  // The Pulumi program and its components: what `pulumi up` runs.
  { name: 'pulumi program', paths: ['lib/pulumi'] },
  // The release loop (`stepwise release`): it drives the Pulumi program through the Automation API.
  { name: 'release', paths: ['lib/release'] },
  // Adapters: the CLI, `npm run synth`, the package's entry point.
  { name: 'adapters', paths: ['lib/cli', 'lib/synth/main.ts', 'lib/index.ts'] },
];

/** Files under `dir`, relative to the repository root, with `/` separators. */
function typeScriptFiles(dir: string): string[] {
  return fs
    .readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.posix.join(dir, f.split(path.sep).join('/')))
    .sort();
}

/** The most specific layer path containing `file`. */
function placeOf(file: string): { readonly layer: number; readonly path: string } {
  let best: { layer: number; path: string } | undefined;
  LAYERS.forEach((layer, index) => {
    for (const p of layer.paths) {
      if ((file === p || file.startsWith(`${p}/`)) && (!best || p.length > best.path.length)) best = { layer: index, path: p };
    }
  });
  if (!best) throw new Error(`${file} is in no layer: add its folder to LAYERS`);
  return best;
}

/** The lib/ files `file` imports (static, type-only, re-exports and dynamic `import()`), resolved. */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(fs.readFileSync(path.join(ROOT, file), 'utf8'), true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => resolve(path.posix.join(path.posix.dirname(file), specifier), file, specifier));
}

function resolve(target: string, from: string, specifier: string): string {
  const bare = target.replace(/\.js$/, '');
  for (const candidate of [`${bare}.ts`, `${bare}/index.ts`]) {
    if (fs.existsSync(path.join(ROOT, candidate))) return candidate;
  }
  throw new Error(`${from}: cannot resolve '${specifier}'`);
}

const FILES = typeScriptFiles('lib');
const GRAPH = new Map(FILES.map((file) => [file, importsOf(file)]));

describe('layers', () => {
  test('every lib/ file is in a layer', () => {
    for (const file of FILES) assert.doesNotThrow(() => placeOf(file), file);
  });

  test('no import goes from a lower layer to a higher one', () => {
    const upward: string[] = [];
    for (const [file, imports] of GRAPH) {
      const from = placeOf(file).layer;
      for (const target of imports) {
        const to = placeOf(target).layer;
        if (to > from) upward.push(`${file} (${LAYERS[from].name}) imports ${target} (${LAYERS[to].name})`);
      }
    }
    assert.deepEqual(upward, []);
  });

  test('no adapter imports another adapter', () => {
    const adapters = LAYERS.length - 1;
    const across: string[] = [];
    for (const [file, imports] of GRAPH) {
      const from = placeOf(file);
      if (from.layer !== adapters) continue;
      for (const target of imports) {
        const to = placeOf(target);
        if (to.layer === adapters && to.path !== from.path) across.push(`${file} imports ${target}`);
      }
    }
    assert.deepEqual(across, []);
  });

  test('there are no import cycles', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (file: string) => {
      state.set(file, 'open');
      stack.push(file);
      for (const target of GRAPH.get(file) ?? []) {
        if (state.get(target) === 'open') cycles.push([...stack.slice(stack.indexOf(target)), target].join(' -> '));
        else if (!state.has(target)) visit(target);
      }
      stack.pop();
      state.set(file, 'done');
    };
    for (const file of FILES) if (!state.has(file)) visit(file);
    assert.deepEqual(cycles, []);
  });

  test('the layer test reads imports: a known upward import would be found', () => {
    // The rendering layer's construct index imports the model (downward): the graph must hold it,
    // or every assertion above passes on an empty graph.
    assert.ok(GRAPH.get('lib/constructs/index.ts')?.length);
    assert.ok((GRAPH.get('lib/cli/main.ts') ?? []).includes('lib/cli/registry.ts'));
    assert.ok(
      (GRAPH.get('lib/cli/registry.ts') ?? []).some((f) => f.startsWith('lib/cli/commands/')),
      'dynamic import() is read',
    );
  });
});
