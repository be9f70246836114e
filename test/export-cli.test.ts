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
});
