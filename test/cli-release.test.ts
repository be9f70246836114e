import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { readApprovals } from '../lib/release/approvals';
import { soakClock } from '../lib/release/soak-clock';
import { runCli } from './support/cli';
import { tempDir } from './support/example-stacks';

/**
 * `stepwise release` before it touches Pulumi or a cluster: its refusals, and the pieces that need
 * neither (the approvals it reads, the soak clock). The release against a real cluster, Pulumi
 * engine and Prometheus is e2e/release.e2e.test.ts.
 */

describe('stepwise release refuses bad input before anything runs', () => {
  test('approving a stage the plan lacks exits 2, naming the stage and the stages there are', async () => {
    const result = await runCli(['release', 'fop-gate', '--approve', 'stabel']);
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /approves 'stabel' \(from --approve\), which is not a stage of the plan \(fix: approve one of: baseline, canary, canary-widened, stable\)/,
    );
    assert.doesNotMatch(result.stderr, /at .*\.js:\d+/);
  });

  test('the same for STEPWISE_APPROVE', async () => {
    const result = await runCli(['release', 'fop-gate'], { env: { STEPWISE_APPROVE: 'canary,stabel' } });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /approves 'stabel' \(from STEPWISE_APPROVE\)/);
  });

  test('--to before the current stage exits 2 and points at rollback', async () => {
    const dir = tempDir('stepwise-release-');
    fs.mkdirSync(path.join(dir, 'stacks'));
    const text = fs.readFileSync('stacks/Pulumi.fop-gate.yaml', 'utf8').replace('stepwise:stage: baseline', 'stepwise:stage: canary');
    fs.writeFileSync(path.join(dir, 'stacks', 'Pulumi.fop-gate.yaml'), text);
    const result = await runCli(['release', 'fop-gate', '--to', 'baseline'], { cwd: dir });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--to baseline is before the current stage canary.*stepwise rollback fop-gate --to baseline/);
  });

  test('a bad --settle-timeout exits 2', async () => {
    const result = await runCli(['release', 'fop-gate', '--settle-timeout', 'soon']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--settle-timeout 'soon' is not a positive number of seconds/);
  });

  test('an invalid policy in the stack file exits 1 naming the file, key path and fix', async () => {
    const dir = tempDir('stepwise-release-');
    fs.mkdirSync(path.join(dir, 'stacks'));
    const text = fs.readFileSync('stacks/Pulumi.fop-gate.yaml', 'utf8').replace('soak: 5m', 'soak: five minutes');
    fs.writeFileSync(path.join(dir, 'stacks', 'Pulumi.fop-gate.yaml'), text);
    const result = await runCli(['release', 'fop-gate'], { cwd: dir });
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /stacks\/Pulumi\.fop-gate\.yaml: config\.stepwise:plan\.stages\[1\]\.soak: must be a duration, got "five minutes" \(fix: write a duration such as 30s, 5m or 1h30m/,
    );
  });
});

describe('approvals', () => {
  test('a file lists approved stages one per line, with comments', () => {
    const file = path.join(tempDir('stepwise-approvals-'), 'approved');
    fs.writeFileSync(file, '# approved by the release manager\ncanary-widened\n\nstable  # after the review\n');
    const approvals = readApprovals({ flags: [], file }, ['baseline', 'canary', 'canary-widened', 'stable']);
    assert.deepEqual(
      ['baseline', 'canary', 'canary-widened', 'stable'].map((s) => approvals.has(s)),
      [false, false, true, true],
    );
  });

  test('a missing approvals file is an error naming it', () => {
    assert.throws(() => readApprovals({ flags: [], file: '/nonexistent/approved' }, ['stable']), /\/nonexistent\/approved.*cannot be read/);
  });
});

describe('the soak clock', () => {
  test('waits the soak on the wall clock, reporting the time left at the start, on each tick and at the end', async () => {
    const ticks: number[] = [];
    const started = Date.now();
    await soakClock(undefined, 1)(2, (left) => ticks.push(left));
    const elapsed = Date.now() - started;
    // At least the soak; the upper bound only tells seconds from minutes (a busy machine delays timers).
    assert.ok(elapsed >= 1990 && elapsed < 20_000, `took ${elapsed} ms`);
    assert.deepEqual(ticks, [2, 1, 0]);
  });

  test('ends at once, without the final tick, when the run is interrupted', async () => {
    const controller = new AbortController();
    const ticks: number[] = [];
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    await soakClock(controller.signal, 30)(60, (left) => ticks.push(left));
    // Far less than the 60 s soak or a 30 s tick; generous for a busy machine's timers.
    assert.ok(Date.now() - started < 15_000);
    assert.deepEqual(ticks, [60]);
  });
});
