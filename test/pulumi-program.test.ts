import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import * as pulumi from '@pulumi/pulumi';
import { parse } from 'yaml';
import { renderStackStage } from '../lib/synth/render-stack';
import { ROOT, exampleConfig } from './support/example-stacks';
import { dependenciesOf, exampleStackAt, recordRegistrations, registrationOf, valueOf, type Registration } from './support/pulumi-mocks';

/** Pulumi.yaml, as the Pulumi CLI reads it. */
const project = parse(fs.readFileSync(path.join(ROOT, 'Pulumi.yaml'), 'utf8')) as {
  name: string;
  main: string;
  stackConfigDir: string;
  runtime: { name: string; options: { typescript: boolean; nodeargs: string } };
};

/**
 * A stack file's `config:` block as the Pulumi CLI hands it to the program (the PULUMI_CONFIG
 * map): every value a string, structured values as JSON.
 */
function pulumiConfig(config: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
}

/** Resolves once `done()` holds, checking after each turn of the event loop (for at most 60 s: a busy machine is slow). */
async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
}

/** What loading the program in a fresh process did. */
interface ProgramRun {
  /** Whether loading the program threw. */
  readonly threw: boolean;
  /** Whether what it threw is a RunError (printed without a stack trace). */
  readonly runError?: boolean;
  /** The message of what it threw. */
  readonly message?: string;
  /** How many resources it registered. */
  readonly registered: number;
  /** The registrations, as the mock engine received them. */
  readonly registrations: readonly Registration[];
  /** The stack outputs `stage` and `fromStage`, when the program loaded. */
  readonly outputs?: { readonly stage: string; readonly fromStage: string };
}

/**
 * Runs the program the way the Pulumi Node.js language host does — `node <nodeargs>` from
 * Pulumi.yaml, config in PULUMI_CONFIG, then `require(main)` — against mocks instead of an engine,
 * in a fresh process. Reports whether loading the program threw, and the error as Pulumi would see
 * it, or what it registered and exported. The test of the language host's way uses this; the
 * others use {@link runProgram}, the same steps in this process.
 */
function runProgramInNewProcess(
  stack: string,
  config: Record<string, unknown>,
  expectedRegistrations = 0,
  recorded?: Record<string, unknown>,
): ProgramRun {
  const script = `
    const pulumi = require('@pulumi/pulumi');
    const { recordRegistrations, valueOf } = require('./test/support/pulumi-mocks.ts');
    recordRegistrations(${JSON.stringify(stack)}, ${JSON.stringify(recorded)}).then(async (registrations) => {
      let outcome;
      let program;
      try {
        // As the runtime does: require main, call the function it exports, await its outputs.
        const main = require(${JSON.stringify(`./${project.main}`)});
        program = await (typeof main === 'function' ? main() : main);
        outcome = { threw: false };
      } catch (error) {
        outcome = { threw: true, runError: pulumi.RunError.isInstance(error), message: error.message };
      }
      // Registrations complete asynchronously: wait for the expected number (at most 60 s).
      const deadline = Date.now() + 60000;
      const report = async () => {
        if (registrations.length < ${expectedRegistrations} && Date.now() < deadline) return setTimeout(report, 10);
        const outputs = program && { stage: await valueOf(program.stage), fromStage: await valueOf(program.fromStage) };
        process.stdout.write(JSON.stringify({ ...outcome, registered: registrations.length, registrations, outputs }));
      };
      setImmediate(report);
    });`;
  const result = spawnSync(process.execPath, [...project.runtime.options.nodeargs.split(/\s+/), '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, PULUMI_CONFIG: JSON.stringify(pulumiConfig(config)) },
  });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as ProgramRun;
}

/**
 * The steps of {@link runProgramInNewProcess} in this process: a fresh mock engine, the stack's
 * config as the language host passes it, then the function `main` exports, called and awaited. The
 * program keeps no state between runs (it reads its config when called), so each run is as fresh
 * as a new process, at a fraction of the cost of loading the Pulumi SDK again.
 */
async function runProgram(
  stack: string,
  config: Record<string, unknown>,
  expectedRegistrations = 0,
  recorded?: Record<string, unknown>,
): Promise<ProgramRun> {
  const registrations = await recordRegistrations(stack, recorded);
  pulumi.runtime.setAllConfig(pulumiConfig(config));
  const main = (await import('../lib/pulumi/index.js')).default;
  let outcome: Pick<ProgramRun, 'threw' | 'runError' | 'message'>;
  let program: Awaited<ReturnType<typeof main>> | undefined;
  try {
    program = await main();
    outcome = { threw: false };
  } catch (error) {
    outcome = { threw: true, runError: pulumi.RunError.isInstance(error), message: (error as Error).message };
  }
  // Registrations complete asynchronously: wait for the expected number (at most 60 s).
  await until(() => registrations.length >= expectedRegistrations);
  const outputs = program && { stage: await valueOf(program.stage), fromStage: await valueOf(program.fromStage) };
  // Through JSON as the process's report is, so both compare alike.
  return JSON.parse(JSON.stringify({ ...outcome, registered: registrations.length, registrations, outputs })) as ProgramRun;
}

describe('the Pulumi program (lib/pulumi/index.ts)', () => {
  test('Pulumi.yaml runs lib/pulumi/index.ts with Node through tsx and reads stack files from stacks/', () => {
    assert.equal(project.name, 'stepwise', 'the project name is the namespace of every stepwise:* key');
    assert.equal(project.runtime.name, 'nodejs');
    assert.equal(project.runtime.options.typescript, false, "Pulumi's own ts-node must not compile the program too");
    assert.equal(project.runtime.options.nodeargs, '--require tsx/cjs');
    assert.equal(project.main, 'lib/pulumi/index.ts');
    assert.ok(fs.existsSync(path.join(ROOT, project.main)));
    assert.equal(project.stackConfigDir, 'stacks');
    assert.ok(fs.existsSync(path.join(ROOT, project.stackConfigDir, 'Pulumi.fop-gate.yaml')));
  });

  test('with stepwise:stage set to canary, the program registers the canary stage of fop-gate and exports its outputs', async () => {
    // Mocks first, then the program: imported earlier, it would have registered nothing.
    const registrations = await recordRegistrations('fop-gate');
    const config = exampleConfig('fop-gate');
    config['stepwise:stage'] = 'canary';
    pulumi.runtime.setAllConfig(pulumiConfig(config));
    // The Node.js runtime calls the function the program exports and awaits its outputs.
    const program = await (await import('../lib/pulumi/index.js')).default();

    const rendered = renderStackStage(exampleStackAt('fop-gate', 'canary')).files.map((f) => f.object);
    await until(() => registrations.length === rendered.length + 2);
    assert.equal(registrations.length, rendered.length + 2, 'the component, the Namespace and one resource per rendered object');
    assert.deepEqual(registrations.map((r) => r.type).sort(), [
      'kubernetes:apps/v1:Deployment',
      'kubernetes:apps/v1:Deployment',
      'kubernetes:core/v1:Namespace',
      'kubernetes:core/v1:Service',
      'kubernetes:policy/v1:PodDisruptionBudget',
      'kubernetes:policy/v1:PodDisruptionBudget',
      'stepwise:index:CanaryService',
    ]);
    const canary = registrations.find(
      (r) => r.type === 'kubernetes:apps/v1:Deployment' && (r.inputs.metadata as { name: string }).name === 'fop-gate-canary',
    );
    assert.equal((canary?.inputs.spec as any).template.spec.containers[0].image, 'registry.example.com/dora/fop-gate:1.5.0');

    assert.equal(await valueOf(program.stage), 'canary');
    assert.equal(await valueOf(program.fromStage), 'baseline');
    assert.deepEqual((await valueOf(program.workloads))['fop-gate-canary'], {
      replicas: 1,
      image: 'registry.example.com/dora/fop-gate:1.5.0',
      trafficShare: 0.1,
    });
    assert.deepEqual((await valueOf(program.services))['fop-gate'].selector, { app: 'fop-gate' });
  });

  test('the same program, run as the language host runs it, registers the stage without error', () => {
    const objects = renderStackStage(exampleStackAt('web-nginx', 'v1-only')).files.length;
    const outcome = runProgramInNewProcess('web-nginx', exampleConfig('web-nginx'), objects + 2);
    assert.equal(outcome.threw, false, outcome.message);
    assert.equal(outcome.registered, objects + 2, 'the component, the Namespace and one resource per rendered object');
  });

  test('an unknown stage fails the run with a RunError naming the file, the key and the stages there are, and registers nothing', async () => {
    const config = exampleConfig('fop-gate');
    config['stepwise:stage'] = 'canary-wide';
    const outcome = await runProgram('fop-gate', config);
    assert.equal(outcome.threw, true);
    assert.equal(outcome.runError, true, 'Pulumi prints a RunError without its stack trace');
    assert.match(
      outcome.message ?? '',
      /^stacks\/Pulumi\.fop-gate\.yaml: config\.stepwise:stage: unknown stage 'canary-wide' \(fix: use one of: baseline, canary, canary-widened, stable\)$/m,
    );
    assert.doesNotMatch(outcome.message ?? '', /^\s+at /m);
    assert.equal(outcome.registered, 0);
  });

  test('negative replicas fail the run with a RunError naming the file, the key path and the fix', async () => {
    const config = exampleConfig('fop-gate');
    (config['stepwise:plan'] as any).stages[2].workloads['fop-gate-canary'].replicas = -3;
    const outcome = await runProgram('fop-gate', config);
    assert.equal(outcome.runError, true);
    assert.match(
      outcome.message ?? '',
      /^stacks\/Pulumi\.fop-gate\.yaml: config\.stepwise:plan\.stages\[2\]\.workloads\.fop-gate-canary\.replicas: must be a whole number >= 0, got -3 \(fix: .+\)$/m,
    );
    assert.doesNotMatch(outcome.message ?? '', /^\s+at /m);
    assert.equal(outcome.registered, 0);
  });

  test('a missing image fails the run with a RunError naming the file, the key path and the fix', async () => {
    const config = exampleConfig('trade-aone');
    delete (config['stepwise:plan'] as any).stages[1].workloads['trade-aone-1'].image;
    const outcome = await runProgram('trade-aone', config);
    assert.equal(outcome.runError, true);
    assert.match(
      outcome.message ?? '',
      /^stacks\/Pulumi\.trade-aone\.yaml: config\.stepwise:plan\.stages\[1\]\.workloads\.trade-aone-1\.image: must be a non-empty string, got nothing \(fix: .+\)$/m,
    );
    assert.doesNotMatch(outcome.message ?? '', /^\s+at /m);
    assert.equal(outcome.registered, 0);
  });

  test('a misspelt stepwise key fails the run and suggests the key that exists', async () => {
    const config = exampleConfig('fop-gate');
    config['stepwise:fromstage'] = 'baseline';
    const outcome = await runProgram('fop-gate', config);
    assert.equal(outcome.runError, true);
    assert.match(
      outcome.message ?? '',
      /config\.stepwise:fromstage: is not a stepwise config key \(fix: did you mean 'stepwise:fromStage'\?\)/,
    );
  });

  test('a rollback run with stepwise:fromStage, as `stepwise rollback` writes it, scales stable up, then moves the Service, then scales the canary down', async () => {
    const config = exampleConfig('fop-gate');
    config['stepwise:stage'] = 'canary';
    config['stepwise:fromStage'] = 'canary-widened';
    const objects = renderStackStage(exampleStackAt('fop-gate', 'canary', 'canary-widened')).files.length;
    const run = await runProgram('fop-gate', config, objects + 2);
    assert.equal(run.threw, false, run.message);
    assert.deepEqual(run.outputs, { stage: 'canary', fromStage: 'canary-widened' });
    // Without fromStage the program would order baseline → canary: the Service waiting on the canary.
    const kube = run.registrations.filter((r) => r.custom);
    assert.deepEqual(dependenciesOf(registrationOf(kube, 'Deployment', 'fop-gate'), kube), []);
    assert.deepEqual(dependenciesOf(registrationOf(kube, 'Service', 'fop-gate'), kube), ['Deployment/fop-gate']);
    assert.deepEqual(dependenciesOf(registrationOf(kube, 'Deployment', 'fop-gate-canary'), kube), ['Service/fop-gate']);
  });

  /** fop-gate deployed at `canary` after the last update recorded `recorded`, the file saying `fromStage` (or nothing). */
  function rollbackToCanary(recorded: string | undefined, fromStage?: string): Promise<ProgramRun> {
    const config = exampleConfig('fop-gate');
    config['stepwise:stage'] = 'canary';
    if (fromStage !== undefined) config['stepwise:fromStage'] = fromStage;
    const objects = renderStackStage(exampleStackAt('fop-gate', 'canary')).files.length;
    return runProgram('fop-gate', config, objects + 2, recorded === undefined ? {} : { stage: recorded, fromStage: 'canary' });
  }

  /** The make-before-break order of fop-gate's rollback from canary-widened to canary. */
  function assertOrderedFromCanaryWidened(run: ProgramRun): void {
    const kube = run.registrations.filter((r) => r.custom);
    assert.deepEqual(dependenciesOf(registrationOf(kube, 'Deployment', 'fop-gate'), kube), []);
    assert.deepEqual(dependenciesOf(registrationOf(kube, 'Service', 'fop-gate'), kube), ['Deployment/fop-gate']);
    assert.deepEqual(dependenciesOf(registrationOf(kube, 'Deployment', 'fop-gate-canary'), kube), ['Service/fop-gate']);
  }

  test('with no stepwise:fromStage, an update is ordered from the stage the last update recorded: a hand-made rollback scales stable up first', async () => {
    const run = await rollbackToCanary('canary-widened');
    assert.equal(run.threw, false, run.message);
    assert.deepEqual(run.outputs, { stage: 'canary', fromStage: 'canary-widened' });
    assertOrderedFromCanaryWidened(run);
  });

  test('a stale stepwise:fromStage (a stage edited by hand) is overruled by the recorded stage', async () => {
    const run = await rollbackToCanary('canary-widened', 'baseline');
    assert.equal(run.threw, false, run.message);
    assert.deepEqual(run.outputs, { stage: 'canary', fromStage: 'canary-widened' });
    assertOrderedFromCanaryWidened(run);
  });

  test('a recorded stage the plan no longer has leaves the order to stepwise:fromStage', async () => {
    const run = await rollbackToCanary('canary-wider', 'canary-widened');
    assert.equal(run.threw, false, run.message);
    assert.deepEqual(run.outputs, { stage: 'canary', fromStage: 'canary-widened' });
    assertOrderedFromCanaryWidened(run);
  });

  test("a stack's first update, with nothing recorded and no fromStage, is ordered from the stage before it in the plan", async () => {
    const run = await rollbackToCanary(undefined);
    assert.deepEqual(run.outputs, { stage: 'canary', fromStage: 'baseline' });
  });

  /** web-nginx with nginx-v2 scaled to 0 in v1-removed, deployed at v1-removed from `fromStage`. */
  function nginxV2GoneFrom(fromStage: string): Record<string, unknown> {
    const config = exampleConfig('web-nginx');
    (config['stepwise:plan'] as any).stages[4].workloads['nginx-v2'].replicas = 0;
    config['stepwise:stage'] = 'v1-removed';
    config['stepwise:fromStage'] = fromStage;
    return config;
  }

  test('a Service that changed since the stage in stepwise:fromStage and selects no pods fails the run before anything registers', async () => {
    // From v2-scaled the Service's selector gains version: v2, which selects no pod in v1-removed.
    const run = await runProgram('web-nginx', nginxV2GoneFrom('v2-scaled'));
    assert.equal(run.threw, true);
    assert.equal(run.runError, true);
    assert.match(
      run.message ?? '',
      /^stacks\/Pulumi\.web-nginx\.yaml: config\.stepwise:plan\.stages\[4\]: in stage 'v1-removed', Service 'nginx-svc' selects no pods \(name=nginx,version=v2\) but this update would update it/m,
    );
    assert.equal(run.registered, 0);
  });

  test('the same Service, unchanged since the stage in stepwise:fromStage, may select no pods: the run registers the stage', async () => {
    // From cutover the Service already selects version: v2, so this update leaves it as it is.
    const objects = renderStackStage(exampleStackAt('web-nginx', 'v1-removed')).files.length;
    const run = await runProgram('web-nginx', nginxV2GoneFrom('cutover'), objects + 2);
    assert.equal(run.threw, false, run.message);
    assert.equal(run.registered, objects + 2, 'the component, the Namespace and the rendered objects');
  });
});
