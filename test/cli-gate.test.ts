/**
 * `stepwise gate` and the gate inside `stepwise promote`, run as a user runs them, against a real
 * Prometheus (the Debian `prometheus` binary, started by test/support/prometheus.ts) scraping a
 * local app that serves request metrics for a healthy canary (the fop-gate example's pod labels)
 * and a failing one (the same stack with `app: pay`). One Prometheus serves every test here.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { assertExit, assertNoStackTrace, runCli, type CliResult } from './support/cli';
import { copyOfStacks } from './support/example-stacks';
import { freePort, prometheusScraping } from './support/prometheus';

const labels = (app: string, track: string) => ({ app, team: 'dora', track, type: 'basic' });

const TRAFFIC = [
  { labels: labels('fop-gate', 'stable'), requestsPerScrape: 100, errorShare: 0.01, slowShare: 0 },
  { labels: labels('fop-gate', 'canary'), requestsPerScrape: 100, errorShare: 0, slowShare: 0 },
  { labels: labels('pay', 'stable'), requestsPerScrape: 100, errorShare: 0.01, slowShare: 0 },
  { labels: labels('pay', 'canary'), requestsPerScrape: 100, errorShare: 0.2, slowShare: 0.5 },
];

const prometheusUrl = prometheusScraping(TRAFFIC);

interface Project {
  file(stack: string): string;
  read(stack: string): string;
  write(stack: string, text: string): void;
  run(...args: string[]): Promise<CliResult>;
  /** As `run`, as its own process (the output names the stack file as typed, relative to its directory). */
  runProcess(...args: string[]): Promise<CliResult>;
}

/**
 * A copy of the example stacks plus gated variants of fop-gate, all with an analysis section
 * pointing at `url`: `fop-gate` (healthy canary), `pay` (failing canary), `ghost` (no series at
 * all), each at `stage`.
 */
function project(url: string, stage = 'canary'): Project {
  const stacks = copyOfStacks();
  const original = fs.readFileSync(path.join(stacks, 'Pulumi.fop-gate.yaml'), 'utf8');
  const gated = (app: string) =>
    original
      .replaceAll('app: fop-gate', `app: ${app}`)
      .replace('stepwise:stage: baseline', `stepwise:stage: ${stage}`)
      .replace(
        '    stages:\n',
        `    analysis:\n      prometheus:\n        url: ${url}\n        timeoutSeconds: 30\n      interval: 10s\n    stages:\n`,
      );
  for (const app of ['fop-gate', 'pay', 'ghost']) fs.writeFileSync(path.join(stacks, `Pulumi.${app}.yaml`), gated(app));
  const cwd = path.dirname(stacks);
  return {
    file: (stack) => path.join(stacks, `Pulumi.${stack}.yaml`),
    read: (stack) => fs.readFileSync(path.join(stacks, `Pulumi.${stack}.yaml`), 'utf8'),
    write: (stack, text) => fs.writeFileSync(path.join(stacks, `Pulumi.${stack}.yaml`), text),
    async run(...args) {
      const result = await runCli(args, { cwd });
      assertNoStackTrace(result.stderr);
      return result;
    },
    async runProcess(...args) {
      const result = await runCli(args, { cwd, process: true });
      assertNoStackTrace(result.stderr);
      return result;
    },
  };
}

describe('stepwise gate against a real Prometheus', () => {
  test('a healthy canary passes: exit 0, each metric with its value and threshold', async () => {
    const result = await project(prometheusUrl()).run('gate', 'fop-gate');
    assertExit(result, 0);
    assert.match(result.stdout, /^Metric gate for fop-gate-canary in namespace dora-apps, compared with fop-gate/);
    assert.match(result.stdout, /^success-rate\s+1\s+>= 0\.99\s+pass/m);
    assert.match(result.stdout, /^p99-latency-seconds\s+0\.0495\s+<= 0\.5\s+pass/m);
    assert.match(result.stdout, /Verdict: PASS/);
  });

  test('a canary answering 20% 5xx fails: exit 1', async () => {
    const result = await project(prometheusUrl()).run('gate', 'pay');
    assertExit(result, 1);
    assert.match(result.stdout, /^success-rate\s+0\.8\s+>= 0\.99\s+fail\s+0\.8 is below the minimum 0\.99/m);
    assert.match(result.stdout, /Verdict: FAIL/);
  });

  test('a canary without any series cannot be decided: exit 2, never a pass', async () => {
    const result = await project(prometheusUrl()).run('gate', 'ghost');
    assertExit(result, 2);
    assert.match(result.stdout, /no data: the query returned no series/);
    assert.match(result.stdout, /Verdict: INCONCLUSIVE/);
  });

  test('an unreachable Prometheus cannot be decided: exit 2', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const result = await project(prometheusUrl()).run('gate', 'fop-gate', '--prometheus', closed);
    assertExit(result, 2);
    assert.match(result.stdout, new RegExp(`Prometheus unreachable at ${closed.replaceAll('.', '\\.')} \\(connection refused`));
  });

  test('--prometheus overrides the URL of the analysis section (e.g. a port-forward)', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const result = await project(closed).run('gate', 'fop-gate', '--prometheus', prometheusUrl());
    assertExit(result, 0);
    assert.match(result.stdout, new RegExp(`Prometheus ${prometheusUrl().replaceAll('.', '\\.')}, interval 10s`));
  });

  test('--json prints the report as one document with the verdict and exit code', async () => {
    const result = await project(prometheusUrl()).run('gate', 'pay', '--json');
    assertExit(result, 1);
    const report = JSON.parse(result.stdout);
    assert.equal(report.verdict, 'fail');
    assert.equal(report.exitCode, 1);
    assert.equal(report.canary, 'fop-gate-canary');
    // rate() over Prometheus samples: 0.8 up to floating-point rounding.
    assert.ok(Math.abs(report.metrics[0].value - 0.8) < 1e-9, `success-rate was ${report.metrics[0].value}`);
    assert.match(report.metrics[0].query, /app="pay",team="dora",track="canary",type="basic"/);
  });

  test('at a stage where nothing runs the new version there is nothing to measure: exit 2', async () => {
    const result = await project(prometheusUrl(), 'baseline').run('gate', 'fop-gate');
    assertExit(result, 2);
    assert.match(result.stderr, /nothing to measure: in stage 'baseline' no workload runs a new version yet/);
  });
});

describe('stepwise gate without a usable analysis section', () => {
  test('a stack without an analysis section is exit 2 with the fix', async () => {
    const result = await project('http://127.0.0.1:9').run('gate', 'web-nginx');
    assertExit(result, 2);
    assert.match(
      result.stderr,
      /stacks\/Pulumi\.web-nginx\.yaml: config\.stepwise:plan\.analysis: is missing: the stack has no metric gate \(fix: add an analysis section/,
    );
  });

  test('an invalid analysis section names its key path, exit 2, before asking Prometheus', async () => {
    const p = project('http://127.0.0.1:9');
    p.write('fop-gate', p.read('fop-gate').replace('interval: 10s', 'interval: 10 seconds'));
    const result = await p.run('gate', 'fop-gate');
    assertExit(result, 2);
    assert.match(result.stderr, /config\.stepwise:plan\.analysis\.interval: must be a PromQL duration/);
  });

  test('an unknown stack or flag and a bad --prometheus are exit 2', async () => {
    const p = project('http://127.0.0.1:9');
    for (const [args, message] of [
      [['gate', 'nope'], /unknown stack 'nope'/],
      [['gate', 'fop-gate', '--jsn'], /Unknown option '--jsn'/],
      [['gate', 'fop-gate', '--prometheus', 'localhost:9090'], /--prometheus 'localhost:9090' is not an http:\/\/ or https:\/\/ base URL/],
    ] as const) {
      const result = await p.run(...args);
      assertExit(result, 2);
      assert.match(result.stderr, message);
    }
  });
});

describe('stepwise promote runs the gate', () => {
  test('a healthy canary passes the gate and the stack moves on', async () => {
    const p = project(prometheusUrl());
    const result = await p.run('promote', 'fop-gate');
    assertExit(result, 0);
    assert.match(result.stdout, /Verdict: PASS/);
    assert.match(result.stdout, /fop-gate: canary → canary-widened/);
    assert.match(p.read('fop-gate'), /stepwise:stage: canary-widened\n {2}stepwise:fromStage: canary\n/);
  });

  test('a failing canary is refused and the file is not touched', async () => {
    const p = project(prometheusUrl());
    const before = p.read('pay');
    const result = await p.runProcess('promote', 'pay'); // names the file as typed
    assertExit(result, 1);
    assert.match(result.stdout, /Verdict: FAIL/);
    assert.match(
      result.stderr,
      /refusing to promote pay: the metric gate is fail \(above\), not pass; stacks\/Pulumi\.pay\.yaml was not changed/,
    );
    assert.equal(p.read('pay'), before);
  });

  test('a canary without data is refused too: missing evidence is never a pass', async () => {
    const p = project(prometheusUrl());
    const before = p.read('ghost');
    const result = await p.run('promote', 'ghost');
    assertExit(result, 1);
    assert.match(result.stderr, /the metric gate is inconclusive/);
    assert.equal(p.read('ghost'), before);
  });

  test('--skip-gate promotes a failing canary with a loud warning', async () => {
    const p = project(prometheusUrl());
    const result = await p.run('promote', 'pay', '--skip-gate');
    assertExit(result, 0);
    assert.match(result.stderr, /^WARNING: --skip-gate: promoting pay without checking its metrics$/m);
    assert.doesNotMatch(result.stdout, /Metric gate/);
    assert.match(p.read('pay'), /stepwise:stage: canary-widened/);
  });

  test('from a stage without a canary on the new version, promote goes on and says there was nothing to measure', async () => {
    const p = project(prometheusUrl(), 'baseline');
    const result = await p.run('promote', 'pay');
    assertExit(result, 0);
    assert.match(result.stderr, /metric gate: nothing to measure yet/);
    assert.match(p.read('pay'), /stepwise:stage: canary\n/);
  });

  test('a stack file promote cannot write is refused before the gate runs, with nothing on stdout', async () => {
    const p = project(prometheusUrl());
    const before = p.read('fop-gate');
    fs.chmodSync(p.file('fop-gate'), 0o444);
    const result = await p.run('promote', 'fop-gate');
    assertExit(result, 1);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /stacks\/Pulumi\.fop-gate\.yaml: is read-only/);
    assert.equal(p.read('fop-gate'), before);
  });

  test('rollback of a failing canary never asks the gate', async () => {
    const p = project('http://127.0.0.1:9');
    const result = await p.run('rollback', 'pay');
    assertExit(result, 0);
    assert.doesNotMatch(result.stdout + result.stderr, /metric gate|Verdict|--skip-gate/i);
    assert.match(p.read('pay'), /stepwise:stage: baseline\n {2}stepwise:fromStage: canary\n/);
  });
});
