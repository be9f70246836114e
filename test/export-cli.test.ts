import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { toArgoRollout, toFlaggerCanary } from '../lib/export';
import { assertExit, assertNoStackTrace, runCli } from './support/cli';
import { exampleStack, tempDir } from './support/example-stacks';

describe('stepwise export', () => {
  test('--to argo-rollouts prints the Rollout as YAML on stdout', async () => {
    const result = await runCli(['export', 'checkout-gateway', '--to', 'argo-rollouts']);
    assertExit(result, 0);
    assert.deepEqual(parse(result.stdout), toArgoRollout(exampleStack('checkout-gateway').plan));
  });

  test('--out writes the Canary to a file and says so', async () => {
    const out = path.join(tempDir(), 'gitops', 'search-canary.yaml');
    fs.mkdirSync(path.dirname(out)); // --out FILE writes into an existing directory (see below)
    const result = await runCli(['export', 'search-nginx', '--to', 'flagger', '--out', out]);
    assertExit(result, 0);
    assert.match(result.stdout, /Canary search for flagger/);
    assert.deepEqual(parse(fs.readFileSync(out, 'utf8')), toFlaggerCanary(exampleStack('search-nginx').plan));
  });

  test('a plan that cannot be handed over exits 1 naming the stack file and key path, without a stack trace', async () => {
    const result = await runCli(['export', 'trade-aone', '--to', 'argo-rollouts']);
    assertExit(result, 1);
    assertNoStackTrace(result.stderr);
    assert.match(result.stderr, /stacks\/Pulumi\.trade-aone\.yaml: config\.stepwise:plan\.kind: is BatchedRollout/);
    assert.equal(result.stdout, '');
  });

  test('a missing or unknown --to is a usage error (exit 2)', async () => {
    const missing = await runCli(['export', 'fop-gate']);
    assertExit(missing, 2);
    assert.match(missing.stderr, /missing --to: use one of argo-rollouts, flagger/);
    const unknown = await runCli(['export', 'fop-gate', '--to', 'spinnaker']);
    assertExit(unknown, 2);
    assert.match(unknown.stderr, /unknown --to 'spinnaker'/);
  });

  test('--out a directory exits 1 saying it is a directory, not a file', async () => {
    const dir = tempDir();
    const result = await runCli(['export', 'fop-gate', '--to', 'argo-rollouts', '--out', dir]);
    assertExit(result, 1);
    assert.equal(
      result.stderr,
      `stepwise: ${dir}: is a directory, not a file (fix: pass --out a file name, e.g. ${path.join(dir, 'release.yaml')})\n`,
    );
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  test('--out in a directory that does not exist exits 1 and creates nothing', async () => {
    const missing = path.join(tempDir(), 'nonexist');
    const out = path.join(missing, 'rollout.yaml');
    const result = await runCli(['export', 'fop-gate', '--to', 'argo-rollouts', '--out', out]);
    assertExit(result, 1);
    assert.equal(
      result.stderr,
      `stepwise: ${out}: cannot be written: the directory ${missing} does not exist (fix: create it first (mkdir -p ${missing}), or pass --out another file)\n`,
    );
    assert.equal(fs.existsSync(missing), false);
  });

  test('--out under a file exits 1 naming the file', async () => {
    const file = path.join(tempDir(), 'afile');
    fs.writeFileSync(file, 'mine');
    const result = await runCli(['export', 'fop-gate', '--to', 'argo-rollouts', '--out', path.join(file, 'rollout.yaml')]);
    assertExit(result, 1);
    assert.match(result.stderr, /afile\/rollout\.yaml: cannot be written: .*afile is a file, not a directory \(fix: move .*afile away/);
    assert.equal(fs.readFileSync(file, 'utf8'), 'mine');
  });

  test('--out replaces an existing file whole, leaving no temporary file beside it', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'rollout.yaml');
    fs.writeFileSync(out, 'previous');
    const result = await runCli(['export', 'fop-gate', '--to', 'argo-rollouts', '--out', out]);
    assertExit(result, 0);
    assert.deepEqual(parse(fs.readFileSync(out, 'utf8')), toArgoRollout(exampleStack('fop-gate').plan));
    assert.deepEqual(fs.readdirSync(dir), ['rollout.yaml']);
  });

  test('--out a symbolic link keeps the link and replaces the file it points to', async () => {
    const dir = tempDir();
    const target = path.join(dir, 'gitops', 'rollout.yaml');
    fs.mkdirSync(path.dirname(target));
    fs.writeFileSync(target, 'previous');
    const link = path.join(dir, 'rollout.yaml');
    fs.symlinkSync('gitops/rollout.yaml', link);
    const result = await runCli(['export', 'fop-gate', '--to', 'argo-rollouts', '--out', link]);
    assertExit(result, 0);
    assert.ok(fs.lstatSync(link).isSymbolicLink());
    assert.deepEqual(parse(fs.readFileSync(target, 'utf8')), toArgoRollout(exampleStack('fop-gate').plan));
    assert.deepEqual(fs.readdirSync(path.dirname(target)), ['rollout.yaml']);
  });
});
