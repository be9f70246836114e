/** `stepwise rollback` as a user runs it: a real process editing a copy of the example stacks. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { assertExit, stacksProject } from './support/cli';

describe('stepwise rollback', () => {
  test('moves the stack back one stage, changing only the stage lines', async () => {
    const p = stacksProject();
    assertExit(await p.run('promote', 'web-nginx', '--to', 'cutover'), 0);
    const before = p.read('web-nginx');
    const result = await p.run('rollback', 'web-nginx');
    assertExit(result, 0);
    assert.equal(
      p.read('web-nginx'),
      before
        .replace('stepwise:stage: cutover', 'stepwise:stage: v2-scaled')
        .replace('stepwise:fromStage: v1-only', 'stepwise:fromStage: cutover'),
    );
    assert.match(result.stdout, /nginx-svc: selector \{name: nginx, version: v2\} → \{name: nginx\}/);
    assert.match(result.stdout, /Apply it: pulumi up --refresh --stack web-nginx\n/);
  });

  test("rolls web-nginx's canary back: deleting its 1 pod leaves 6 endpoints, the floor", async () => {
    const p = stacksProject();
    assertExit(await p.run('promote', 'web-nginx'), 0);
    const result = await p.run('rollback', 'web-nginx');
    assertExit(result, 0);
    assert.doesNotMatch(result.stderr, /deletes-selected-workload|refusing/);
    assert.match(p.read('web-nginx'), /stepwise:stage: v1-only\n {2}stepwise:fromStage: v2-canary\n/);
    assert.match(result.stdout, /nginx-v2: deleted/);
  });

  test('a symlinked stack file stays a link, and rollback writes the file it points to', async () => {
    const p = stacksProject();
    assertExit(await p.run('promote', 'fop-gate'), 0);
    const target = path.join(p.dir, 'fop-gate.yaml');
    fs.renameSync(p.file('fop-gate'), target);
    fs.symlinkSync(target, p.file('fop-gate'));
    assertExit(await p.run('rollback', 'fop-gate'), 0);
    assert.ok(fs.lstatSync(p.file('fop-gate')).isSymbolicLink(), 'the link was replaced by a regular file');
    assert.match(fs.readFileSync(target, 'utf8'), /stepwise:stage: baseline\n\s*stepwise:fromStage: canary\n/);
  });

  test('--to jumps back several stages', async () => {
    const p = stacksProject();
    assertExit(await p.run('promote', 'fop-gate', '--to', 'stable'), 0);
    const result = await p.run('rollback', 'fop-gate', '--to', 'baseline');
    assertExit(result, 0);
    assert.match(result.stderr, /--to baseline jumps over canary-widened, canary/);
    assert.match(p.read('fop-gate'), /stepwise:stage: baseline\n {2}stepwise:fromStage: stable\n/);
  });

  test('goes ahead when the only check error is in another stage, and says so', async () => {
    const p = stacksProject();
    // The last transition (canary-widened → stable) drops below the floor; rolling back from
    // canary to baseline does not go through it.
    const unsafe = p
      .read('fop-gate')
      .replace(
        'fop-gate: { replicas: 9, image: registry.example.com/dora/fop-gate:1.5.0 }',
        'fop-gate: { replicas: 2, image: registry.example.com/dora/fop-gate:1.5.0 }',
      );
    fs.writeFileSync(p.file('fop-gate'), unsafe.replace('stepwise:stage: baseline', 'stepwise:stage: canary'));
    const result = await p.run('rollback', 'fop-gate');
    assertExit(result, 0);
    assert.match(result.stderr, /the plan has 1 check error in other stages .*rolling back anyway/);
    assert.match(p.read('fop-gate'), /stepwise:stage: baseline\n {2}stepwise:fromStage: canary\n/);
  });

  test('refuses when the move itself drops below the capacity floor', async () => {
    const p = stacksProject();
    // Rolling back from stable (9 new pods) to a canary-widened stage with only 2 stable pods left.
    const unsafe = p.read('fop-gate').replace('fop-gate: { replicas: 7,', 'fop-gate: { replicas: 2,');
    fs.writeFileSync(p.file('fop-gate'), unsafe.replace('stepwise:stage: baseline', 'stepwise:stage: stable'));
    const before = p.read('fop-gate');
    const result = await p.run('rollback', 'fop-gate');
    assertExit(result, 1);
    assert.match(result.stderr, /capacity-below-floor Service\/fop-gate \(stable → canary-widened\)/);
    assert.equal(p.read('fop-gate'), before);
  });

  test('at the first stage it says so, exits 1 and writes nothing', async () => {
    const p = stacksProject();
    const before = p.read('fop-gate');
    const result = await p.run('rollback', 'fop-gate');
    assertExit(result, 1);
    assert.match(result.stderr, /fop-gate is already at its first stage \(baseline\): there is nothing to roll back to/);
    assert.equal(p.read('fop-gate'), before);
  });

  test('--to a later stage is a usage error pointing at promote', async () => {
    const result = await stacksProject().run('rollback', 'fop-gate', '--to', 'stable');
    assertExit(result, 2);
    assert.match(result.stderr, /rollback only moves back; use `stepwise promote fop-gate --to stable`/);
  });

  test('--dry-run writes nothing', async () => {
    const p = stacksProject();
    assertExit(await p.run('promote', 'fop-gate'), 0);
    const before = p.read('fop-gate');
    const result = await p.run('rollback', 'fop-gate', '--dry-run');
    assertExit(result, 0);
    assert.match(result.stdout, /Dry run: .* stepwise:stage canary → baseline/);
    assert.equal(p.read('fop-gate'), before);
  });

  test('a stage value it cannot edit is refused before anything is printed on stdout', async () => {
    const p = stacksProject();
    const explicit = p.read('fop-gate').replace('  stepwise:stage: baseline\n', '  ? stepwise:stage\n  : canary\n');
    fs.writeFileSync(p.file('fop-gate'), explicit);
    const result = await p.run('rollback', 'fop-gate');
    assertExit(result, 1);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /stacks\/Pulumi\.fop-gate\.yaml: config\.stepwise:stage: is written as an explicit key/);
    assert.equal(p.read('fop-gate'), explicit);
  });

  test('a read-only stack file is refused and keeps its content', async () => {
    const p = stacksProject();
    assertExit(await p.run('promote', 'fop-gate'), 0);
    const before = p.read('fop-gate');
    fs.chmodSync(p.file('fop-gate'), 0o444);
    const result = await p.run('rollback', 'fop-gate');
    assertExit(result, 1);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /stacks\/Pulumi\.fop-gate\.yaml: is read-only \(fix: chmod u\+w/);
    assert.equal(p.read('fop-gate'), before);
  });

  test('has no --skip-gate: rollback never runs the gate', async () => {
    const result = await stacksProject().run('rollback', 'fop-gate', '--skip-gate');
    assertExit(result, 2);
    assert.match(result.stderr, /Unknown option '--skip-gate'/);
  });
});
