import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { loadStack } from '../lib/stacks';
import { renderStackStage } from '../lib/synth/render-stack';
import { assertExit, assertNoStackTrace, editStackFile, runCli } from './support/cli';
import { copyOfStacks, tempDir } from './support/example-stacks';

/** The objects of a YAML stream, as plain data. */
function objectsOf(stream: string): any[] {
  return parseAllDocuments(stream).map((d) => d.toJS());
}

const imageOf = (objects: any[], deployment: string) =>
  objects.find((o) => o.kind === 'Deployment' && o.metadata.name === deployment)?.spec.template.spec.containers[0].image;

describe('stepwise render', () => {
  const stacks = copyOfStacks();

  test("prints the current stage's manifests as one YAML stream", async () => {
    const result = await runCli(['render', 'fop-gate', '--stacks', stacks]);
    assertExit(result, 0);
    const objects = objectsOf(result.stdout);
    assert.deepEqual(
      objects.map((o) => `${o.kind}/${o.metadata.name}`),
      [
        'Deployment/fop-gate',
        'Deployment/fop-gate-canary',
        'PodDisruptionBudget/fop-gate',
        'PodDisruptionBudget/fop-gate-canary',
        'Service/fop-gate',
      ],
    );
    assert.equal(imageOf(objects, 'fop-gate-canary'), 'registry.example.com/dora/fop-gate:1.4.0');
  });

  test('--stage renders another stage', async () => {
    const result = await runCli(['render', 'fop-gate', '--stage', 'canary', '--stacks', stacks]);
    assertExit(result, 0);
    const objects = objectsOf(result.stdout);
    assert.equal(imageOf(objects, 'fop-gate-canary'), 'registry.example.com/dora/fop-gate:1.5.0');
    assert.equal(imageOf(objects, 'fop-gate'), 'registry.example.com/dora/fop-gate:1.4.0');
  });

  test('prints exactly the YAML the shared renderer produces', async () => {
    const result = await runCli(['render', 'web-nginx', '--stage', 'cutover', '--stacks', stacks]);
    const expected = renderStackStage(loadStack(stacks, 'web-nginx'), 'cutover')
      .files.map((f) => f.yaml)
      .join('---\n');
    assert.equal(result.stdout, expected);
  });

  test('--all-stages prints every stage, each introduced by a comment', async () => {
    const result = await runCli(['render', 'web-nginx', '--all-stages', '--stacks', stacks]);
    assertExit(result, 0);
    assert.deepEqual(
      [...result.stdout.matchAll(/^# web-nginx, stage (.+)$/gm)].map((m) => m[1]),
      ['v1-only', 'v2-canary', 'v2-scaled', 'cutover', 'v1-removed'],
    );
    const services = objectsOf(result.stdout).filter((o) => o.kind === 'Service');
    assert.deepEqual(
      services.map((s) => s.spec.selector),
      [{ name: 'nginx' }, { name: 'nginx' }, { name: 'nginx' }, { name: 'nginx', version: 'v2' }, { name: 'nginx', version: 'v2' }],
    );
  });

  test('--out says "1 object" for a stage that renders only its Service', async () => {
    const dir = copyOfStacks();
    editStackFile(dir, 'fop-gate', (config) => config['stepwise:plan'].stages.push({ name: 'drained', workloads: {} }));
    const out = tempDir();
    const result = await runCli(['render', 'fop-gate', '--stage', 'drained', '--out', out, '--stacks', dir]);
    assertExit(result, 0);
    assert.equal(result.stdout, `${path.join(out, 'fop-gate')}/  stage drained: 1 object\n`);
  });

  test('--out writes one file per object under DIR/<stack>/', async () => {
    const out = tempDir();
    const result = await runCli(['render', 'fop-gate', '--stage', 'canary', '--out', out, '--stacks', stacks]);
    assertExit(result, 0);
    assert.equal(result.stdout, `${path.join(out, 'fop-gate')}/  stage canary: 5 objects\n`);
    assert.deepEqual(fs.readdirSync(path.join(out, 'fop-gate')).sort(), [
      'Deployment.fop-gate-canary.k8s.yaml',
      'Deployment.fop-gate.k8s.yaml',
      'PodDisruptionBudget.fop-gate-canary.k8s.yaml',
      'PodDisruptionBudget.fop-gate.k8s.yaml',
      'Service.fop-gate.k8s.yaml',
    ]);
    const canary = objectsOf(fs.readFileSync(path.join(out, 'fop-gate', 'Deployment.fop-gate-canary.k8s.yaml'), 'utf8'));
    assert.equal(imageOf(canary, 'fop-gate-canary'), 'registry.example.com/dora/fop-gate:1.5.0');
  });

  test('--all-stages --out writes DIR/<stack>/<stage>/ and replaces what was there', async () => {
    const out = tempDir();
    fs.mkdirSync(path.join(out, 'web-nginx'));
    fs.writeFileSync(path.join(out, 'web-nginx', 'Deployment.stale.k8s.yaml'), 'stale');
    const result = await runCli(['render', 'web-nginx', '--all-stages', '--out', out, '--stacks', stacks]);
    assertExit(result, 0);
    assert.deepEqual(fs.readdirSync(path.join(out, 'web-nginx')).sort(), ['cutover', 'v1-only', 'v1-removed', 'v2-canary', 'v2-scaled']);
    assert.deepEqual(fs.readdirSync(path.join(out, 'web-nginx', 'v1-removed')).sort(), [
      'Deployment.nginx-v2.k8s.yaml',
      'PodDisruptionBudget.nginx-v2.k8s.yaml',
      'Service.nginx-svc.k8s.yaml',
    ]);
    assert.deepEqual(fs.readdirSync(out), ['web-nginx'], 'no staging folders are left behind');
    assert.match(result.stdout, new RegExp(`^${path.join(out, 'web-nginx', 'v2-scaled')}/  stage v2-scaled: 5 objects$`, 'm'));
  });
});

describe('stepwise render with bad input', () => {
  const stacks = copyOfStacks();

  test('an unknown --stage exits 2 and lists the stages', async () => {
    const result = await runCli(['render', 'fop-gate', '--stage', 'canery', '--stacks', stacks]);
    assertExit(result, 2);
    assert.match(
      result.stderr,
      /--stage canery: unknown stage 'canery' in .*Pulumi\.fop-gate\.yaml \(fix: use one of: baseline, canary, canary-widened, stable\)/,
    );
    assertNoStackTrace(result.stderr);
    assert.equal(result.stdout, '');
  });

  test('--stage with --all-stages exits 2', async () => {
    const result = await runCli(['render', 'fop-gate', '--stage', 'canary', '--all-stages', '--stacks', stacks]);
    assertExit(result, 2);
    assert.match(result.stderr, /--stage and --all-stages contradict each other/);
  });

  test('an unknown stack exits 2', async () => {
    const result = await runCli(['render', 'fop', '--stacks', stacks]);
    assertExit(result, 2);
    assert.match(result.stderr, /unknown stack 'fop'/);
    assertNoStackTrace(result.stderr);
  });

  test('a missing stack name exits 2', async () => {
    const result = await runCli(['render', '--stage', 'canary', '--stacks', stacks]);
    assertExit(result, 2);
    assert.match(result.stderr, /missing the stack name/);
  });

  test('an unknown flag exits 2 and suggests the closest one', async () => {
    const result = await runCli(['render', 'fop-gate', '--all-stage', '--stacks', stacks]);
    assertExit(result, 2);
    assert.match(result.stderr, /did you mean --all-stages\?/);
    assertNoStackTrace(result.stderr);
  });

  test('an invalid stack file exits 1, and --out leaves the output folder as it was', async () => {
    const dir = copyOfStacks();
    editStackFile(dir, 'fop-gate', (config) => (config['stepwise:plan'].stages[2].workloads['fop-gate-canary'].replicas = -3));
    const out = tempDir();
    fs.mkdirSync(path.join(out, 'fop-gate'));
    fs.writeFileSync(path.join(out, 'fop-gate', 'Service.fop-gate.k8s.yaml'), 'previous');
    const result = await runCli(['render', 'fop-gate', '--all-stages', '--out', out, '--stacks', dir]);
    assertExit(result, 1);
    assert.match(
      result.stderr,
      /config\.stepwise:plan\.stages\[2\]\.workloads\.fop-gate-canary\.replicas: must be a whole number >= 0, got -3 \(fix: /,
    );
    assertNoStackTrace(result.stderr);
    assert.equal(fs.readFileSync(path.join(out, 'fop-gate', 'Service.fop-gate.k8s.yaml'), 'utf8'), 'previous');
  });

  test('two container ports named http exit 1 naming the file and key path, not an internal error (check too)', async () => {
    const dir = copyOfStacks();
    editStackFile(dir, 'fop-gate', (config) => config['stepwise:plan'].defaults.ports.push({ name: 'http', containerPort: 9090 }));
    for (const command of ['render', 'check']) {
      const result = await runCli([command, 'fop-gate', '--stacks', dir]);
      assertExit(result, 1);
      assert.match(
        result.stderr,
        /Pulumi\.fop-gate\.yaml: config\.stepwise:plan\.workloads\.fop-gate\.ports\[1\]\.name: 'http' is also the name of ports\[0\] \(fix: /,
        command,
      );
      assert.doesNotMatch(result.stderr, /internal error/, command);
      assertNoStackTrace(result.stderr);
    }
  });

  test('--out a file exits 1 saying it is a file, not a directory, and leaves the file as it was', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'afile');
    fs.writeFileSync(file, 'mine');
    for (const [args, shown] of [
      [['--out', file], `${file}: is a file`],
      [['--out', path.join(file, 'sub')], `${path.join(file, 'sub')}: cannot be written: ${file} is a file`],
      [['--all-stages', '--out', file], `${file}: is a file`],
    ] as const) {
      const result = await runCli(['render', 'fop-gate', ...args, '--stacks', stacks]);
      assertExit(result, 1);
      assert.equal(result.stderr, `stepwise: ${shown}, not a directory (fix: move ${file} away, or pass --out another directory)\n`);
      assert.equal(result.stdout, '');
    }
    assert.deepEqual(fs.readdirSync(dir), ['afile']);
    assert.equal(fs.readFileSync(file, 'utf8'), 'mine');
  });

  test('a file named like the stack inside --out is refused, not replaced', async () => {
    const out = tempDir();
    fs.writeFileSync(path.join(out, 'fop-gate'), 'mine');
    const result = await runCli(['render', 'fop-gate', '--out', out, '--stacks', stacks]);
    assertExit(result, 1);
    assert.match(result.stderr, /fop-gate: is a file, not a directory \(fix: move .*fop-gate away/);
    assertNoStackTrace(result.stderr);
    assert.equal(fs.readFileSync(path.join(out, 'fop-gate'), 'utf8'), 'mine');
  });

  test('--help prints the usage', async () => {
    const result = await runCli(['render', '-h']);
    assertExit(result, 0);
    assert.match(result.stdout, /^usage: stepwise render <stack> \[--stage S \| --all-stages\]/);
  });
});
