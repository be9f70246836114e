/** Which workload `stepwise gate` measures in each stage of the example plans (lib/gate/target.ts). */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { gateTargetForStage } from '../lib/gate';
import type { Plan } from '../lib/model';
import { copyOfStacks, exampleStack, ROOT } from './support/example-stacks';

/** `canary/stable` per stage, or `none` where nothing runs a new image. */
function targets(plan: Plan): Record<string, string> {
  return Object.fromEntries(
    plan.stages.map((stage, i) => {
      const chosen = gateTargetForStage(plan, i);
      return [stage.name, 'none' in chosen ? 'none' : `${chosen.target.canary.name}/${chosen.target.stable?.name ?? '-'}`];
    }),
  );
}

describe('the workload the metric gate measures', () => {
  test('canary pair: the canary track from the stage it runs the new image, compared with stable', () => {
    assert.deepEqual(targets(exampleStack('fop-gate').plan), {
      baseline: 'none',
      canary: 'fop-gate-canary/fop-gate',
      'canary-widened': 'fop-gate-canary/fop-gate',
      stable: 'fop-gate-canary/fop-gate',
    });
  });

  test('batched rollout: the newest batch on the new image, compared with the first batch still on the old one', () => {
    assert.deepEqual(targets(exampleStack('trade-aone').plan), {
      baseline: 'none',
      gray: 'trade-aone-1/trade-aone-2',
      'batch-2': 'trade-aone-2/trade-aone-3',
      'batch-3': 'trade-aone-3/trade-aone-4',
      'batch-4': 'trade-aone-4/trade-aone-5',
      'batch-5': 'trade-aone-5/-',
    });
  });

  test('selector cutover: v2, compared with v1 while v1 exists', () => {
    assert.deepEqual(targets(exampleStack('web-nginx').plan), {
      'v1-only': 'none',
      'v2-canary': 'nginx-v2/nginx-dm',
      'v2-scaled': 'nginx-v2/nginx-dm',
      cutover: 'nginx-v2/nginx-dm',
      'v1-removed': 'nginx-v2/-',
    });
  });

  test('the target carries the plan namespace and the pod labels Prometheus sees', () => {
    const plan = exampleStack('fop-gate').plan;
    const chosen = gateTargetForStage(plan, 1);
    assert.ok('target' in chosen);
    assert.equal(chosen.target.namespace, 'dora-apps');
    assert.deepEqual(chosen.target.canary.labels, { app: 'fop-gate', team: 'dora', track: 'canary', type: 'basic' });
  });

  test('a stage without a new image says why there is nothing to measure', () => {
    const chosen = gateTargetForStage(exampleStack('fop-gate').plan, 0);
    assert.ok('none' in chosen);
    assert.match(chosen.none, /in stage 'baseline' no workload runs a new version yet/);
  });
});

describe('start-up cost of the commands that must be quick', () => {
  test('loading gate, promote and rollback (compiled) does not load cdk8s', () => {
    const script = `
      for (const name of ['gate', 'promote', 'rollback']) require('./dist-js/lib/cli/commands/' + name);
      const heavy = Object.keys(require.cache).filter((f) => /node_modules[\\/](cdk8s|cdk8s-plus-27|constructs)[\\/]/.test(f));
      process.stdout.write(JSON.stringify(heavy));`;
    const loaded = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' }));
    assert.deepEqual(loaded, []);
    // The check is able to fail: the diff command's renderer does load cdk8s.
    const render = `require('./dist-js/lib/synth/render-stack'); process.stdout.write(String(Object.keys(require.cache).some((f) => f.includes(path.sep + 'cdk8s' + path.sep))));`;
    assert.equal(
      execFileSync(process.execPath, ['-e', `const path = require('path'); ${render}`], { cwd: ROOT, encoding: 'utf8' }),
      'true',
    );
  });
});

describe('the gate promote runs', () => {
  test('promote runs the gate through lib/cli/gate-stack, without loading the gate command', () => {
    const stacks = copyOfStacks();
    const file = path.join(stacks, 'Pulumi.fop-gate.yaml');
    const gated = fs
      .readFileSync(file, 'utf8')
      .replace('stepwise:stage: baseline', 'stepwise:stage: canary')
      // Nothing listens on port 1: the gate cannot decide, and promote refuses.
      .replace('    stages:\n', '    analysis:\n      prometheus: { url: http://127.0.0.1:1, timeoutSeconds: 2 }\n    stages:\n');
    fs.writeFileSync(file, gated);
    const script = `
      const { command } = require(${JSON.stringify(path.join(ROOT, 'dist-js/lib/cli/commands/promote.js'))});
      const quiet = () => {};
      command.run(['fop-gate', '--dry-run'], { out: quiet, err: quiet, cwd: process.cwd() }).then((code) => {
        const cli = Object.keys(require.cache).filter((f) => f.includes('cli')).map((f) => f.split(/[\\\\/]cli[\\\\/]/).pop());
        process.stdout.write(JSON.stringify({ code, cli }));
      });`;
    const { code, cli } = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: path.dirname(stacks), encoding: 'utf8' }));
    assert.equal(code, 1, 'an unreachable Prometheus is never a pass');
    assert.ok(cli.includes('gate-stack.js'), `the gate ran: ${cli}`);
    assert.ok(!cli.includes('commands/gate.js'), `the gate command was loaded: ${cli}`);
  });
});
