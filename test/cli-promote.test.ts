/**
 * `stepwise promote` as a user runs it, editing a copy of the example stacks (in process, and as a
 * process where the output names the stack file as the user typed it).
 * (Its metric gate runs against a real Prometheus in cli-gate.test.ts; rollback has its own file.)
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { assertExit, stacksProject } from './support/cli';

/** The text with its `stepwise:stage` line replaced by `stage` and a `stepwise:fromStage` line after it (the edit promote makes). */
function withStage(text: string, stage: string, fromStage: string): string {
  const start = text.search(/^ *stepwise:stage: /m);
  const end = text.indexOf('\n', start) + 1;
  const indent = /^ */.exec(text.slice(start))![0];
  return `${text.slice(0, start)}${indent}stepwise:stage: ${stage}\n${indent}stepwise:fromStage: ${fromStage}\n${text.slice(end)}`;
}

describe('stepwise promote', () => {
  test('moves the stack to the next stage, changing only the stage lines of the file', async () => {
    const p = stacksProject();
    const before = p.read('fop-gate');
    // A process: the message names the file as typed, relative to the process's directory.
    const result = await p.runProcess('promote', 'fop-gate');
    assertExit(result, 0);
    assert.equal(p.read('fop-gate'), withStage(before, 'canary', 'baseline'));
    assert.match(result.stdout, /^fop-gate: baseline → canary\n/);
    assert.match(result.stdout, /fop-gate-canary: image .*:1\.4\.0 → .*:1\.5\.0/);
    assert.match(
      result.stdout,
      /Updated stacks\/Pulumi\.fop-gate\.yaml: stepwise:stage baseline → canary \(stepwise:fromStage: baseline\)/,
    );
    assert.match(result.stdout, /Apply it: pulumi up --stack fop-gate\n/);
    assert.match(result.stdout, /for GitOps \(Argo CD \/ Flux\): commit and push stacks\/Pulumi\.fop-gate\.yaml/);
    assert.deepEqual(
      fs.readdirSync(path.join(p.dir, 'stacks')).filter((f) => f.startsWith('.')),
      [],
    );
  });

  test('a symlinked stack file stays a link, and promote writes the file it points to', async () => {
    const p = stacksProject();
    // The stack file lives outside stacks/ and is linked in, as a shared config repository would be.
    const target = path.join(p.dir, 'fop-gate.yaml');
    fs.renameSync(p.file('fop-gate'), target);
    fs.symlinkSync('../fop-gate.yaml', p.file('fop-gate'));
    const before = fs.readFileSync(target, 'utf8');
    assertExit(await p.run('promote', 'fop-gate'), 0);
    assert.ok(fs.lstatSync(p.file('fop-gate')).isSymbolicLink(), 'the link was replaced by a regular file');
    assert.equal(fs.readFileSync(target, 'utf8'), withStage(before, 'canary', 'baseline'));
    assert.deepEqual(
      fs.readdirSync(p.dir).filter((f) => f.startsWith('.')),
      [],
    );
  });

  test('promoting again replaces both values in place', async () => {
    const p = stacksProject();
    const before = p.read('web-nginx');
    assertExit(await p.run('promote', 'web-nginx'), 0);
    assertExit(await p.run('promote', 'web-nginx'), 0);
    assert.equal(p.read('web-nginx'), withStage(before, 'v2-scaled', 'v2-canary'));
  });

  test('--dry-run prints the change and writes nothing', async () => {
    const p = stacksProject();
    const before = p.read('trade-aone');
    const result = await p.runProcess('promote', 'trade-aone', '--dry-run'); // names the file as typed
    assertExit(result, 0);
    assert.match(result.stdout, /trade-aone-1: image .*:2024\.05\.1 → .*:2024\.06\.0/);
    assert.match(
      result.stdout,
      /Dry run: stacks\/Pulumi\.trade-aone\.yaml was not changed; without --dry-run it would get stepwise:stage baseline → gray/,
    );
    assert.equal(p.read('trade-aone'), before);
  });

  test('goes one stage at a time; --to jumps ahead and says which stages it skips', async () => {
    const p = stacksProject();
    const before = p.read('trade-aone');
    const result = await p.run('promote', 'trade-aone', '--to', 'batch-3');
    assertExit(result, 0);
    assert.match(result.stderr, /--to batch-3 jumps over gray, batch-2/);
    assert.equal(p.read('trade-aone'), withStage(before, 'batch-3', 'baseline'));
  });

  test('--to an earlier stage is refused as a usage error pointing at rollback', async () => {
    const p = stacksProject();
    assertExit(await p.run('promote', 'fop-gate', '--to', 'canary'), 0);
    const before = p.read('fop-gate');
    const result = await p.run('promote', 'fop-gate', '--to', 'baseline');
    assertExit(result, 2);
    assert.match(
      result.stderr,
      /--to baseline is before the current stage canary: promote only moves forward; use `stepwise rollback fop-gate --to baseline`/,
    );
    assert.equal(p.read('fop-gate'), before);
  });

  test('at the last stage it says so, exits 1 and writes nothing', async () => {
    const p = stacksProject();
    assertExit(await p.run('promote', 'fop-gate', '--to', 'stable'), 0);
    const before = p.read('fop-gate');
    const result = await p.run('promote', 'fop-gate');
    assertExit(result, 1);
    assert.match(result.stderr, /fop-gate is already at its last stage \(stable\): there is nothing to promote to/);
    assert.equal(p.read('fop-gate'), before);
  });

  test('refuses when the next stage would drop below the capacity floor, printing the check error', async () => {
    const p = stacksProject();
    // canary-widened scales stable to 4 instead of 7: 4 + 3 ready pods, below the floor of 10.
    const unsafe = p.read('fop-gate').replace('fop-gate: { replicas: 7,', 'fop-gate: { replicas: 4,');
    fs.writeFileSync(p.file('fop-gate'), withStage(unsafe, 'canary', 'baseline'));
    const before = p.read('fop-gate');
    const result = await p.run('promote', 'fop-gate');
    assertExit(result, 1);
    assert.match(result.stderr, /^error capacity-below-floor Service\/fop-gate \(canary → canary-widened\): /m);
    assert.match(result.stderr, /refusing to promote fop-gate: `stepwise check` found 1 error/);
    assert.equal(p.read('fop-gate'), before);
    assert.equal(result.stdout, '');
  });

  test('refuses on a check error elsewhere in the plan too', async () => {
    const p = stacksProject();
    // The error is in the last transition; promoting from baseline is still refused.
    const unsafe = p
      .read('fop-gate')
      .replace(
        'fop-gate: { replicas: 9, image: registry.example.com/dora/fop-gate:1.5.0 }',
        'fop-gate: { replicas: 2, image: registry.example.com/dora/fop-gate:1.5.0 }',
      );
    fs.writeFileSync(p.file('fop-gate'), unsafe);
    const result = await p.run('promote', 'fop-gate');
    assertExit(result, 1);
    assert.match(result.stderr, /error capacity-below-floor Service\/fop-gate \(canary-widened → stable\)/);
    assert.equal(p.read('fop-gate'), unsafe);
  });

  test('a stage written as a block scalar is moved, and becomes a one-line value', async () => {
    const p = stacksProject();
    const original = p.read('fop-gate');
    fs.writeFileSync(p.file('fop-gate'), original.replace('stepwise:stage: baseline\n', 'stepwise:stage: |-\n    baseline\n'));
    const result = await p.run('promote', 'fop-gate');
    assertExit(result, 0);
    assert.equal(p.read('fop-gate'), withStage(original, 'canary', 'baseline'));
  });

  for (const dryRun of [[], ['--dry-run']]) {
    test(`a stage value it cannot edit is refused before anything is printed on stdout${dryRun.length ? ' (--dry-run too)' : ''}`, async () => {
      const p = stacksProject();
      const aliased = p
        .read('fop-gate')
        .replace('stepwise:stage: baseline\n', 'stepwise:stage: &current baseline\n  stepwise:fromStage: *current\n');
      fs.writeFileSync(p.file('fop-gate'), aliased);
      const result = await p.runProcess('promote', 'fop-gate', ...dryRun); // names the file as typed
      assertExit(result, 1);
      assert.equal(result.stdout, '');
      assert.match(
        result.stderr,
        /^stepwise: stacks\/Pulumi\.fop-gate\.yaml: config\.stepwise:fromStage: is an alias \(\*current\).*\(fix: write `stepwise:fromStage: <stage name>` on one line/m,
      );
      assert.doesNotMatch(result.stderr, /internal error/);
      assert.equal(p.read('fop-gate'), aliased);
    });
  }

  test('a read-only stack file is refused, exit 1, with nothing printed on stdout and nothing written', async () => {
    const p = stacksProject();
    const before = p.read('fop-gate');
    fs.chmodSync(p.file('fop-gate'), 0o444);
    const result = await p.runProcess('promote', 'fop-gate'); // names the file as typed
    assertExit(result, 1);
    assert.equal(result.stdout, '');
    assert.match(
      result.stderr,
      /^stepwise: stacks\/Pulumi\.fop-gate\.yaml: is read-only \(fix: chmod u\+w stacks\/Pulumi\.fop-gate\.yaml, or edit it by hand\)$/m,
    );
    assert.equal(p.read('fop-gate'), before);
    assert.equal(fs.statSync(p.file('fop-gate')).mode & 0o777, 0o444);
  });

  test('a bad --prometheus is a usage error even with --skip-gate, before the stack is read', async () => {
    const p = stacksProject();
    const before = p.read('fop-gate');
    for (const args of [
      ['promote', 'fop-gate', '--prometheus', 'ftp://x', '--skip-gate', '--dry-run'],
      ['promote', 'fop-gate', '--prometheus', 'ftp://x', '--skip-gate'],
      ['promote', 'no-such-stack', '--prometheus', 'ftp://x', '--skip-gate'],
    ]) {
      const result = await p.run(...args);
      assertExit(result, 2);
      assert.match(result.stderr, /--prometheus 'ftp:\/\/x' is not an http:\/\/ or https:\/\/ base URL/);
      assert.equal(result.stdout, '');
    }
    assert.equal(p.read('fop-gate'), before);
  });

  test('an unknown stack, stage or flag is a usage error (exit 2)', async () => {
    const p = stacksProject();
    const cases: [string[], RegExp][] = [
      [['promote', 'nope'], /unknown stack 'nope'/],
      [['promote', 'fop-gate', '--to', 'canery'], /--to canery: unknown stage 'canery'/],
      [['promote', 'fop-gate', '--dryrun'], /Unknown option '--dryrun'/],
      [['promote', 'fop-gate', 'web-nginx'], /unexpected argument 'web-nginx'/],
    ];
    for (const [args, message] of cases) {
      const result = await p.run(...args);
      assertExit(result, 2);
      assert.match(result.stderr, message);
    }
  });

  test('a flag missing its value is not answered with "did you mean" that same flag; an unknown one still is', async () => {
    const p = stacksProject();
    const missing = await p.run('promote', 'fop-gate', '--to', '--dry-run');
    assertExit(missing, 2);
    assert.match(missing.stderr, /Option '--to' argument is ambiguous/);
    assert.doesNotMatch(missing.stderr, /did you mean/);
    const unknown = await p.run('promote', 'fop-gate', '--dryrun');
    assertExit(unknown, 2);
    assert.match(unknown.stderr, /\(did you mean --dry-run\?\)/);
  });

  test('an invalid stack file is reported with its key path, exit 1, and is not touched', async () => {
    const p = stacksProject();
    const broken = p.read('fop-gate').replace('replicas: 9,', 'replicas: -1,');
    fs.writeFileSync(p.file('fop-gate'), broken);
    const result = await p.run('promote', 'fop-gate');
    assertExit(result, 1);
    assert.match(result.stderr, /stacks\/Pulumi\.fop-gate\.yaml: config\.stepwise:plan\.stages\[0\]\.workloads\.fop-gate\.replicas/);
    assert.equal(p.read('fop-gate'), broken);
  });

  test('--help describes the command and its exit codes', async () => {
    const result = await stacksProject().run('promote', '--help');
    assertExit(result, 0);
    assert.match(result.stdout, /^usage: stepwise promote <stack>/);
    assert.match(result.stdout, /--skip-gate/);
  });
});
