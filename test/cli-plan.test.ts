import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { assertExit, assertNoStackTrace, editStackFile, runCli } from './support/cli';
import { copyOfStacks, tempDir } from './support/example-stacks';

describe('stepwise plan', () => {
  const stacks = copyOfStacks();

  test('prints every stage as a table with the current stage marked', async () => {
    const result = await runCli(['plan', 'fop-gate', '--stacks', stacks]);
    assertExit(result, 0);
    assert.match(result.stdout, /^fop-gate: CanaryService in namespace dora-apps, current stage baseline/);
    assert.match(result.stdout, /^\* baseline +fop-gate +9 /m);
    assert.match(result.stdout, /^ +canary-widened +fop-gate +7 +registry\.example\.com\/dora\/fop-gate:1\.4\.0 +70\.0%$/m);
    assert.match(
      result.stdout,
      /↓ baseline → canary: peak 11 pods, at least 10 available; Service fop-gate: at least 10 ready endpoints \(floor 10\)/,
    );
    assert.equal(result.stderr, '');
  });

  test('marks the stage the stack file says the cluster is in', async () => {
    const dir = copyOfStacks();
    editStackFile(dir, 'web-nginx', (config) => (config['stepwise:stage'] = 'cutover'));
    const result = await runCli(['plan', 'web-nginx', '--stacks', dir]);
    assertExit(result, 0);
    assert.match(result.stdout, /^\* cutover +nginx-dm +6 +nginx:1\.16\.1 +0\.0%$/m);
    assert.match(result.stdout, /^ {2}v1-only /m);
  });

  test('--json prints the same as data', async () => {
    const result = await runCli(['plan', 'web-nginx', '--json', '--stacks', stacks]);
    assertExit(result, 0);
    const data = JSON.parse(result.stdout);
    assert.equal(data.stack, 'web-nginx');
    assert.equal(data.stage, 'v1-only');
    assert.deepEqual(
      data.stages.map((s: any) => [s.name, s.current]),
      [
        ['v1-only', true],
        ['v2-canary', false],
        ['v2-scaled', false],
        ['cutover', false],
        ['v1-removed', false],
      ],
    );
    assert.deepEqual(data.stages[1].traffic, { 'nginx-dm': 6 / 7, 'nginx-v2': 1 / 7 });
    assert.deepEqual(data.stages[3].services, [
      { name: 'nginx-svc', selector: { name: 'nginx', version: 'v2' }, endpoints: ['nginx-v2'], readyEndpoints: 6 },
    ]);
    assert.deepEqual(
      data.transitions.map((t: any) => [t.peakPods, t.services[0].minReadyEndpoints, t.services[0].capacityFloor]),
      [
        [7, 6, 6],
        [12, 7, 6],
        [12, 6, 6],
        [12, 6, 6],
      ],
    );
  });

  test('--format json is --json', async () => {
    const a = await runCli(['plan', 'trade-aone', '--json', '--stacks', stacks]);
    const b = await runCli(['plan', 'trade-aone', '--format', 'json', '--stacks', stacks]);
    assertExit(b, 0);
    assert.equal(b.stdout, a.stdout);
  });

  test('--format svg prints an SVG chart', async () => {
    const result = await runCli(['plan', 'trade-aone', '--format', 'svg', '--stacks', stacks]);
    assertExit(result, 0);
    assert.match(result.stdout, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.ok(result.stdout.endsWith('</svg>\n'));
    assert.match(result.stdout, />batch-5<\/text>/);
  });

  test('--help prints the usage and exits 0', async () => {
    const result = await runCli(['plan', '--help']);
    assertExit(result, 0);
    assert.match(result.stdout, /^usage: stepwise plan <stack>/);
    assert.match(result.stdout, /--format F/);
  });
});

describe('stepwise plan with bad input', () => {
  const stacks = copyOfStacks();

  test('an unknown stack exits 2 and lists the stacks there are', async () => {
    const result = await runCli(['plan', 'fop-gaet', '--stacks', stacks]);
    assertExit(result, 2);
    assert.match(
      result.stderr,
      /^stepwise: .*Pulumi\.fop-gaet\.yaml: unknown stack 'fop-gaet': the file does not exist \(fix: use one of: .*fop-gate.*\)$/m,
    );
    assertNoStackTrace(result.stderr);
    assert.equal(result.stdout, '');
  });

  test('a missing stack name exits 2 with the usage', async () => {
    const result = await runCli(['plan', '--stacks', stacks]);
    assertExit(result, 2);
    assert.match(result.stderr, /missing the stack name/);
    assert.match(result.stderr, /usage: stepwise plan <stack>/);
    assertNoStackTrace(result.stderr);
  });

  test('an unknown flag exits 2 and suggests the closest one', async () => {
    const result = await runCli(['plan', 'fop-gate', '--jsn', '--stacks', stacks]);
    assertExit(result, 2);
    assert.match(result.stderr, /'--jsn'.*\(did you mean --json\?\)/);
    assertNoStackTrace(result.stderr);
  });

  test('an unknown format exits 2 and names the formats', async () => {
    const result = await runCli(['plan', 'fop-gate', '--format', 'pdf', '--stacks', stacks]);
    assertExit(result, 2);
    assert.match(result.stderr, /unknown --format 'pdf': use one of table, json, svg/);
  });

  test('--json with another --format exits 2', async () => {
    const result = await runCli(['plan', 'fop-gate', '--json', '--format', 'svg', '--stacks', stacks]);
    assertExit(result, 2);
    assert.match(result.stderr, /--json and --format svg contradict each other/);
  });

  test('a path instead of a stack name exits 2', async () => {
    const result = await runCli(['plan', '../stacks/fop-gate', '--stacks', stacks]);
    assertExit(result, 2);
    assert.match(result.stderr, /is not a stack name/);
  });

  test('an invalid stack file exits 1 naming the file, the key path and the fix', async () => {
    const dir = copyOfStacks();
    editStackFile(dir, 'web-nginx', (config) => (config['stepwise:plan'].stages[1].workloads['nginx-v2'].replicas = -1));
    const result = await runCli(['plan', 'web-nginx', '--stacks', dir]);
    assertExit(result, 1);
    assert.match(
      result.stderr,
      /^stepwise: .*Pulumi\.web-nginx\.yaml: config\.stepwise:plan\.stages\[1\]\.workloads\.nginx-v2\.replicas: must be a whole number >= 0, got -1 \(fix: .+\)$/m,
    );
    assertNoStackTrace(result.stderr);
    assert.equal(result.stdout, '');
  });

  test('a stack file whose current stage is not in the plan exits 1 naming the config key', async () => {
    const dir = copyOfStacks();
    editStackFile(dir, 'fop-gate', (config) => (config['stepwise:stage'] = 'canry'));
    const result = await runCli(['plan', 'fop-gate', '--stacks', dir]);
    assertExit(result, 1);
    assert.match(
      result.stderr,
      /Pulumi\.fop-gate\.yaml: config\.stepwise:stage: unknown stage 'canry' \(fix: use one of: baseline, canary/,
    );
    assertNoStackTrace(result.stderr);
  });
});

describe('stepwise plan with a wrong --stacks directory', () => {
  test('a --stacks directory that does not exist exits 2 saying so, not that the stack is missing', async () => {
    const missing = path.join(tempDir(), 'nonexist');
    const result = await runCli(['plan', 'fop-gate', '--stacks', missing]);
    assertExit(result, 2);
    assert.equal(
      result.stderr,
      `stepwise: ${missing}: the stacks directory does not exist (fix: run from the project root, or pass --stacks DIR)\n`,
    );
    assert.equal(result.stdout, '');
  });

  test('a --stacks that is a file exits 2 saying it is not a directory', async () => {
    const file = path.join(tempDir(), 'hostname');
    fs.writeFileSync(file, 'x');
    const result = await runCli(['plan', 'fop-gate', '--stacks', file]);
    assertExit(result, 2);
    assert.equal(
      result.stderr,
      `stepwise: ${file}: the stacks directory is not a directory (fix: run from the project root, or pass --stacks DIR)\n`,
    );
  });
});
