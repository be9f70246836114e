/**
 * A big stack does not use up V8's hidden classes. A record keyed by names from the stack file
 * (each Service's traffic shares, by workload) used to be a plain `{}`, and each one added a hidden
 * class to the class every empty object starts from; past 1,536 of them, every new kind of object
 * in the process got a class of its own, and rendering ran at half speed (lib/model/name-record.ts,
 * docs/performance.md). The built command runs here on a stack of 1,800 Services with a probe
 * (test/support/hidden-class-probe.mjs) that asks V8, as the process exits, whether two new
 * objects of the same shape still share a class; so do the Pulumi program's outputs and the
 * traffic shares `stepwise status` compares (test/support/hidden-class-workout.ts).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { stringify } from 'yaml';
import { syntheticStackConfig } from '../bench/synthetic-stack';
import { CLI_PATH } from './support/cli';
import { tempDir } from './support/example-stacks';
import { runProbed } from './support/probed-process';

const PROBE = path.join(__dirname, 'support', 'hidden-class-probe.mjs');

/** Runs `node SCRIPT_AND_ARGS` with the probe; resolves with its exit code and the probe's answer. */
async function probed(scriptAndArgs: readonly string[]): Promise<{ code: number; freshKeySharesClass: boolean }> {
  const { code, seen } = await runProbed<{ freshKeySharesClass: boolean }>(PROBE, 'STEPWISE_HIDDEN_CLASS_PROBE_OUT', scriptAndArgs, [
    '--allow-natives-syntax',
  ]);
  return { code, ...seen };
}

describe('V8 hidden classes on a big stack', () => {
  const stacks = tempDir();
  // 3,600 workloads in canary pairs: 1,800 Services, each with its own record of traffic shares.
  fs.writeFileSync(
    path.join(stacks, 'Pulumi.big.yaml'),
    stringify({ config: syntheticStackConfig('canary-pairs', 3600) }, { lineWidth: 0 }),
  );

  test('stepwise plan of 1,800 Services leaves new objects sharing hidden classes', async () => {
    if (!fs.existsSync(CLI_PATH)) throw new Error('dist-js/bin/stepwise.js is missing: run `npm run build` first');
    const { code, freshKeySharesClass } = await probed([CLI_PATH, 'plan', 'big', '--stacks', stacks]);
    assert.equal(code, 0);
    assert.equal(freshKeySharesClass, true);
  });

  test('the traffic shares of 1,800 Services in the Pulumi program outputs and in stepwise status leave new objects sharing hidden classes', async () => {
    const workout = path.join(__dirname, 'support', 'hidden-class-workout.ts');
    const result = await probed(['--import', 'tsx', workout, path.join(stacks, 'Pulumi.big.yaml')]);
    assert.deepEqual(result, { code: 0, freshKeySharesClass: true });
  });

  test('the probe sees a process that used them up: 2,000 empty objects, each given a different first key', async () => {
    const script = path.join(tempDir(), 'use-up.js');
    fs.writeFileSync(script, "for (let i = 0; i < 2000; i++) { const o = {}; o['key-' + i] = i; }\n");
    assert.deepEqual(await probed([script]), { code: 0, freshKeySharesClass: false });
  });
});
