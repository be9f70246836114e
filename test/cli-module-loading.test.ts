/**
 * What a command loads. A command that only reads a stack file (`plan`, `check`) must not load
 * cdk8s, the Kubernetes schemas, the Kubernetes client or the Pulumi SDK: they are most of a cold
 * start. Each command runs as the built binary in its own process with a preloaded probe
 * (test/support/module-probe.mjs) that records every module file the process loaded.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { CLI_PATH } from './support/cli';
import { copyOfStacks } from './support/example-stacks';
import { runProbed } from './support/probed-process';

const PROBE = path.join(__dirname, 'support', 'module-probe.mjs');

/** The packages that make a cold start slow, and what they are. */
const HEAVY_PACKAGES: Readonly<Record<string, string>> = {
  cdk8s: 'cdk8s',
  'cdk8s-plus-27': 'cdk8s-plus',
  constructs: 'constructs',
  'kubernetes-models': 'the Kubernetes schemas',
  '@kubernetes-models/': 'the Kubernetes schemas (CRDs)',
  ajv: 'the schema validator',
  '@kubernetes/client-node': 'the Kubernetes client',
  '@pulumi/': 'the Pulumi SDK',
};

/** The npm packages whose files a run of `stepwise ARGS` loaded, e.g. `yaml`, `@pulumi/pulumi`. */
async function packagesLoadedBy(args: readonly string[]): Promise<{ code: number; packages: string[] }> {
  const { code, files } = await filesLoadedBy(args);
  const packages = new Set<string>();
  for (const file of files) {
    const inModules = file.split(`${path.sep}node_modules${path.sep}`).at(-1);
    if (inModules === undefined || inModules === file) continue;
    const parts = inModules.split(path.sep);
    packages.add(parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]);
  }
  return { code, packages: [...packages].sort() };
}

/** Every module file a run of `stepwise ARGS` loaded. */
async function filesLoadedBy(args: readonly string[]): Promise<{ code: number; files: string[] }> {
  if (!fs.existsSync(CLI_PATH)) throw new Error('dist-js/bin/stepwise.js is missing: run `npm run build` first');
  const { code, seen } = await runProbed<string[]>(PROBE, 'STEPWISE_MODULE_PROBE_OUT', [CLI_PATH, ...args]);
  return { code, files: seen };
}

/** The heavy packages among `packages`. */
function heavy(packages: readonly string[]): string[] {
  return packages.filter((p) => Object.keys(HEAVY_PACKAGES).some((h) => (h.endsWith('/') ? p.startsWith(h) : p === h)));
}

describe('what a command that only reads a stack file loads', () => {
  const stacks = copyOfStacks();

  for (const args of [
    ['plan', 'fop-gate'],
    ['plan', 'search-nginx', '--format', 'json'],
    ['check', 'fop-gate'],
    ['check', 'web-nginx', '--json'],
  ]) {
    test(`stepwise ${args.join(' ')} loads none of cdk8s, the Kubernetes schemas or client, or the Pulumi SDK`, async () => {
      const { code, packages } = await packagesLoadedBy([...args, '--stacks', stacks]);
      assert.equal(code, 0);
      assert.ok(packages.includes('js-yaml'), `the probe saw the YAML reader load: ${packages.join(', ')}`);
      assert.deepEqual(heavy(packages), []);
      // The `yaml` package reads only files the fast reader leaves alone (and edits them): none of the examples.
      assert.ok(!packages.includes('yaml'), `the yaml package loaded: ${packages.join(', ')}`);
    });
  }

  test('the built command is one file: stepwise plan loads none of its own modules from dist-js/lib, and no file of zod (scripts/build/bundle-cli.ts)', async () => {
    const { code, files } = await filesLoadedBy(['plan', 'fop-gate', '--stacks', stacks]);
    assert.equal(code, 0);
    assert.ok(files.includes(path.resolve(CLI_PATH)), `the probe saw the command itself: ${files.length} files`);
    const dist = path.dirname(path.dirname(path.resolve(CLI_PATH)));
    assert.deepEqual(
      files.filter((file) => file.startsWith(dist + path.sep) && file !== path.resolve(CLI_PATH)),
      [],
    );
    assert.deepEqual(
      files.filter((file) => file.includes(`${path.sep}node_modules${path.sep}zod${path.sep}`)),
      [],
    );
  });

  test('a stack file the fast reader leaves alone (an anchor) is read by the yaml package, loaded for it', async () => {
    const file = path.join(stacks, 'Pulumi.fop-gate.yaml');
    const anchored = path.join(stacks, 'Pulumi.anchored.yaml');
    fs.writeFileSync(anchored, fs.readFileSync(file, 'utf8').replace(/^( +)namespace: (\S+)$/m, '$1namespace: &ns $2'));
    try {
      const { code, packages } = await packagesLoadedBy(['plan', 'anchored', '--stacks', stacks]);
      assert.equal(code, 0);
      assert.ok(packages.includes('yaml'), packages.join(', '));
    } finally {
      fs.rmSync(anchored);
    }
  });

  test('a stack whose workloads use the pod template passthrough loads the PodSpec and Container schemas that check it, and nothing else heavy', async () => {
    const { code, packages } = await packagesLoadedBy(['plan', 'orders-api', '--stacks', stacks]);
    assert.equal(code, 0);
    assert.ok(packages.includes('kubernetes-models'), packages.join(', '));
    assert.deepEqual(
      heavy(packages).filter((p) => !['kubernetes-models', 'ajv'].includes(p) && !p.startsWith('@kubernetes-models/')),
      [],
    );
  });

  test('the probe sees them when a command needs them: stepwise diff renders manifests with cdk8s', async () => {
    const { code, packages } = await packagesLoadedBy(['diff', 'fop-gate', '--to', 'canary', '--stacks', stacks]);
    assert.equal(code, 0);
    for (const name of ['cdk8s', 'cdk8s-plus-27', 'kubernetes-models'])
      assert.ok(packages.includes(name), `${name}: ${packages.join(', ')}`);
    assert.deepEqual(
      heavy(packages).filter((p) => p.startsWith('@pulumi/') || p === '@kubernetes/client-node'),
      [],
      'diff needs neither Pulumi nor a cluster',
    );
  });
});
