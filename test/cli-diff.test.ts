/** `stepwise diff` as a user runs it: a real process on a copy of the example stacks (and a real git repo for --base). */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { assertExit, assertNoStackTrace, runCli, type CliResult } from './support/cli';
import { copyOfStacks } from './support/example-stacks';

/** A temporary project holding a copy of stacks/; returns its directory. */
function project(): string {
  return path.dirname(copyOfStacks());
}

async function diff(cwd: string, ...args: string[]): Promise<CliResult> {
  const result = await runCli(['diff', ...args], { cwd });
  assertNoStackTrace(result.stderr);
  return result;
}

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=stepwise test', '-c', 'user.email=test@example.com', ...args], { cwd, stdio: 'pipe' });
}

/** A git repository with the example stacks committed; the stack files are then edited by the test. */
function repository(): string {
  const dir = project();
  git(dir, 'init', '-q');
  git(dir, 'add', 'stacks');
  git(dir, 'commit', '-q', '-m', 'example stacks');
  return dir;
}

function edit(dir: string, stack: string, change: (text: string) => string): void {
  const file = path.join(dir, 'stacks', `Pulumi.${stack}.yaml`);
  const before = fs.readFileSync(file, 'utf8');
  const after = change(before);
  assert.notEqual(after, before, 'the edit changed nothing');
  fs.writeFileSync(file, after);
}

describe('stepwise diff between stages', () => {
  test('by default it compares the current stage with the next one and ends with the manifest diff', async () => {
    const result = await diff(project(), 'fop-gate');
    assertExit(result, 0);
    assert.match(result.stdout, /^fop-gate: baseline → canary\n/);
    assert.match(
      result.stdout,
      /fop-gate-canary: image registry\.example\.com\/dora\/fop-gate:1\.4\.0 → registry\.example\.com\/dora\/fop-gate:1\.5\.0; traffic 10%/,
    );
    assert.match(result.stdout, /fop-gate: at least 10 ready endpoints \(fewest during make\), floor 10: ok/);
    assert.match(
      result.stdout,
      /--- a\/baseline\/fop-gate\/Deployment\.fop-gate-canary\.k8s\.yaml\n\+\+\+ b\/canary\/fop-gate\/Deployment\.fop-gate-canary\.k8s\.yaml\n/,
    );
    assert.match(
      result.stdout,
      /^-\s+image: registry\.example\.com\/dora\/fop-gate:1\.4\.0\n\+\s+image: registry\.example\.com\/dora\/fop-gate:1\.5\.0$/m,
    );
    // Only the canary's Deployment changes in this stage.
    assert.equal(result.stdout.match(/^\+\+\+ /gm)?.length, 1);
  });

  test('--from and --to compare any two stages, e.g. the cutover of web-nginx', async () => {
    const result = await diff(project(), 'web-nginx', '--from', 'v2-scaled', '--to', 'cutover');
    assertExit(result, 0);
    assert.match(
      result.stdout,
      /nginx-svc: selector \{name: nginx\} → \{name: nginx, version: v2\}; ready endpoints 12 \(nginx-dm, nginx-v2\) → 6 \(nginx-v2\)/,
    );
    assert.match(result.stdout, /nginx-dm: traffic 50% → 0%/);
    assert.match(result.stdout, /^\+ {4}version: v2$/m);
  });

  test('at the last stage it says there is no next stage and exits 0', async () => {
    const result = await diff(project(), 'fop-gate', '--from', 'stable');
    assertExit(result, 0);
    assert.match(result.stdout, /the last stage of the plan \(stable\): there is no next stage/);
  });

  test('--format markdown is a PR comment: heading, tables, and the manifests in a diff fence', async () => {
    const result = await diff(project(), 'fop-gate', '--from', 'canary', '--format', 'markdown');
    assertExit(result, 0);
    assert.match(result.stdout, /^### `fop-gate`: `canary` → `canary-widened`\n/);
    assert.match(result.stdout, /\| `fop-gate-canary` \| scale-up \| 1 → 3 \|.*\| 10% → 30% \|/);
    assert.match(
      result.stdout,
      /```diff\n--- a\/canary\/fop-gate\/Deployment\.fop-gate-canary\.k8s\.yaml\n[\s\S]*\n--- a\/canary\/fop-gate\/Deployment\.fop-gate\.k8s\.yaml\n[\s\S]*\n```\n$/,
    );
  });

  test('--format json is the summary as data plus the patch text', async () => {
    const result = await diff(project(), 'trade-aone', '--format', 'json');
    assertExit(result, 0);
    const json = JSON.parse(result.stdout);
    assert.deepEqual([json.from.stage, json.to.stage], ['baseline', 'gray']);
    const gray = json.workloads.find((w: any) => w.name === 'trade-aone-1');
    assert.deepEqual(gray.image, {
      from: 'registry.example.com/trade/trade-aone:2024.05.1',
      to: 'registry.example.com/trade/trade-aone:2024.06.0',
    });
    assert.deepEqual(json.files, [{ name: 'Deployment.trade-aone-1.k8s.yaml', status: 'changed' }]);
    assert.match(json.patch, /^--- a\/baseline\/trade-aone\/Deployment\.trade-aone-1\.k8s\.yaml\n/);
  });

  test('the output is the same on every run', async () => {
    const dir = project();
    const first = await diff(dir, 'web-nginx', '--from', 'v1-only', '--to', 'v1-removed');
    const second = await diff(dir, 'web-nginx', '--from', 'v1-only', '--to', 'v1-removed');
    assertExit(first, 0);
    assert.equal(first.stdout, second.stdout);
  });

  test('an unknown stack, stage, flag or format is a usage error (exit 2) without a stack trace', async () => {
    const dir = project();
    const cases: [string[], RegExp][] = [
      [['fop-gat'], /unknown stack 'fop-gat'.*use one of: .*fop-gate/],
      [['fop-gate', '--to', 'canery'], /--to canery: unknown stage 'canery'.*use one of: baseline, canary, canary-widened, stable/],
      [['fop-gate', '--frm', 'canary'], /Unknown option '--frm'/],
      [['fop-gate', '--format', 'html'], /unknown --format 'html': use one of text, markdown, json/],
      [['fop-gate', '--base', 'HEAD', '--to', 'canary'], /cannot be combined with --from or --to/],
      [[], /missing the stack name/],
    ];
    for (const [args, message] of cases) {
      const result = await diff(dir, ...args);
      assertExit(result, 2);
      assert.match(result.stderr, message);
      assert.equal(result.stdout, '');
    }
  });

  test('--help prints the usage and exits 0', async () => {
    const result = await diff(project(), '--help');
    assertExit(result, 0);
    assert.match(result.stdout, /^usage: stepwise diff <stack>/);
  });
});

describe('stepwise diff --base: the review of a pull request', () => {
  test('the stack file at HEAD and in the working tree are compared, each at its own current stage', async () => {
    const dir = repository();
    edit(dir, 'fop-gate', (text) => text.replace('stepwise:stage: baseline', 'stepwise:stage: canary'));
    const result = await diff(dir, 'fop-gate', '--base', 'HEAD');
    assertExit(result, 0);
    assert.match(result.stdout, /^fop-gate: baseline \(HEAD\) → canary \(working tree\)\n/);
    assert.match(result.stdout, /fop-gate-canary: image .*:1\.4\.0 → .*:1\.5\.0/);
    assert.match(
      result.stdout,
      /^--- a\/HEAD\/fop-gate\/Deployment\.fop-gate-canary\.k8s\.yaml\n\+\+\+ b\/working-tree\/fop-gate\/Deployment\.fop-gate-canary\.k8s\.yaml$/m,
    );
  });

  test('a changed Deployment selector and Service type are flagged as what Kubernetes rejects and Pulumi replaces', async () => {
    const dir = repository();
    edit(dir, 'web-nginx', (text) =>
      text
        .replace(
          'labels: { name: nginx, version: v1 }',
          'labels: { name: nginx, version: v1, tier: web }\n        selector: { name: nginx, version: v1, tier: web }',
        )
        .replace('type: NodePort', 'type: LoadBalancer'),
    );
    const result = await diff(dir, 'web-nginx', '--base', 'HEAD');
    assertExit(result, 0);
    assert.match(result.stdout, /REPLACE Service\/nginx-svc: type NodePort → LoadBalancer — Pulumi replaces Service\/nginx-svc/);
    // The selector change is the replacement the check error describes, not a rolling update.
    assert.match(
      result.stdout,
      /REPLACE Deployment\/nginx-dm: selector name=nginx,version=v1 → name=nginx,tier=web,version=v1 \(with pod template: labels\) — Kubernetes cannot change a Deployment's selector, so Pulumi replaces Deployment\/nginx-dm/,
    );
    assert.doesNotMatch(result.stdout, /ROLL-OUT Deployment\/nginx-dm/);
    assert.match(result.stdout, /error deployment-selector-changed Deployment\/nginx-dm \(v1-only → v1-only\): its selector changes/);
    assert.match(result.stdout, /^\+ {6}tier: web$/m);
  });

  test('a stage moved by hand with a stepwise:fromStage left behind is flagged, since pulumi up would order the wrong move', async () => {
    const dir = repository();
    // The committed file is at canary (promoted from baseline); the change rolls back to baseline by
    // hand but keeps fromStage: baseline, so Pulumi would order baseline → baseline, not canary → baseline.
    edit(dir, 'fop-gate', (text) => text.replace('stepwise:stage: baseline', 'stepwise:stage: canary\n  stepwise:fromStage: baseline'));
    git(dir, 'commit', '-q', '-am', 'promote fop-gate to canary');
    edit(dir, 'fop-gate', (text) => text.replace('stepwise:stage: canary', 'stepwise:stage: baseline'));
    const result = await diff(dir, 'fop-gate', '--base', 'HEAD');
    assertExit(result, 0);
    assert.match(result.stdout, /error from-stage-stale Stack\/fop-gate \(canary → baseline\): .*stepwise:fromStage is baseline/);
    assert.match(result.stdout, /set stepwise:fromStage: canary in /);
  });

  test('a stage moved by hand one step forward, with no stepwise:fromStage, is not flagged', async () => {
    const dir = repository();
    edit(dir, 'fop-gate', (text) => text.replace('stepwise:stage: baseline', 'stepwise:stage: canary'));
    const result = await diff(dir, 'fop-gate', '--base', 'HEAD');
    assert.doesNotMatch(result.stdout, /from-stage-stale/);
  });

  test('an unchanged stack file is no change', async () => {
    const dir = repository();
    const result = await diff(dir, 'trade-aone', '--base', 'HEAD');
    assertExit(result, 0);
    assert.match(result.stdout, /no change/);
    assert.match(result.stdout, /Manifests: no file changes/);
  });

  test('a ref that does not exist is a clear usage error', async () => {
    const result = await diff(repository(), 'fop-gate', '--base', 'no-such-branch');
    assertExit(result, 2);
    assert.match(result.stderr, /unknown git ref 'no-such-branch'/);
  });

  test('a stack file that did not exist at the ref is a clear usage error', async () => {
    const dir = repository();
    fs.copyFileSync(path.join(dir, 'stacks', 'Pulumi.fop-gate.yaml'), path.join(dir, 'stacks', 'Pulumi.fop-gate-2.yaml'));
    const result = await diff(dir, 'fop-gate-2', '--base', 'HEAD');
    assertExit(result, 2);
    assert.match(result.stderr, /stacks\/Pulumi\.fop-gate-2\.yaml does not exist at HEAD/);
  });

  test('a change that drops the router compares each side on its own router: the canary goes from its 5% weight to its share of pods', async () => {
    const dir = repository();
    edit(dir, 'checkout-gateway', (text) => text.replace('stepwise:stage: baseline', 'stepwise:stage: canary'));
    git(dir, 'commit', '-q', '-am', 'checkout-gateway at canary');
    edit(dir, 'checkout-gateway', (text) =>
      text.replace(/^ {4}traffic:\n(?: {6}.*\n)+/m, '').replace(/^ {8}traffic: \{ canary: \d+ \}\n/gm, ''),
    );
    const result = await diff(dir, 'checkout-gateway', '--base', 'HEAD');
    assertExit(result, 0);
    // HEAD: the HTTPRoute sends the canary 5%; working tree: 2 of 6 + 2 ready pods.
    assert.match(result.stdout, /^ {2}checkout-canary: traffic 5% → 25%$/m);
    assert.match(result.stdout, /^ {2}checkout: traffic 95% → 75%$/m);
    assert.match(result.stdout, /^--- a\/HEAD\/checkout-gateway\/HTTPRoute\.checkout\.k8s\.yaml\n\+\+\+ \/dev\/null$/m);
  });

  test('a change that renames a track reads the old weights with the old track names', async () => {
    const dir = repository();
    edit(dir, 'checkout-gateway', (text) => text.replace('stepwise:stage: baseline', 'stepwise:stage: canary'));
    git(dir, 'commit', '-q', '-am', 'checkout-gateway at canary');
    edit(dir, 'checkout-gateway', (text) =>
      text
        .replace('labels: { app: checkout, track: canary }', 'labels: { app: checkout, track: preview }')
        .replace(/\{ canary: (\d+) \}/g, '{ preview: $1 }'),
    );
    const result = await diff(dir, 'checkout-gateway', '--base', 'HEAD');
    assertExit(result, 0);
    assert.match(result.stdout, /^ {2}checkout-canary: .*traffic 5%\)?$/m);
    assert.doesNotMatch(result.stdout, /checkout-canary: .*traffic 5% →/);
  });

  test('outside a git repository --base says so', async () => {
    const result = await diff(project(), 'fop-gate', '--base', 'HEAD');
    assertExit(result, 2);
    assert.match(result.stderr, /is not in a git repository/);
  });
});
