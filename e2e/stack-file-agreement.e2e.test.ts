/**
 * The stack file is read twice in a release: by the stepwise CLI (`check`, `plan`, `diff`,
 * `npm run synth`: the `yaml` package) and by `pulumi up` (the Pulumi CLI's Go YAML reader, whose
 * config the program gets through `pulumi.Config`). A stage that `check` approved must be the
 * stage `pulumi up` applies: for every edge case of YAML scalars below (numbers that look like
 * versions, octal, timestamps, YAML 1.1 booleans, merge keys, …) both readers must either accept
 * the file with the same plan and stage, or both refuse it.
 *
 * The Pulumi side is the real CLI running the project's own config reader
 * (`stackFromPulumiConfig`, what `lib/pulumi/program.ts` calls) in a `pulumi preview` of an inline
 * program; no cluster is needed.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LocalWorkspace } from '@pulumi/pulumi/automation';
import { parseDocument } from 'yaml';
import { stepwiseErrorsOf } from '../lib/model/errors';
import { stackFromPulumiConfig } from '../lib/pulumi/stack-from-pulumi-config';
import { stackFromText, type Stack } from '../lib/stacks';
import { e2eBinaries } from './support/binaries';
import { startPulumiEngine, type PulumiEngine } from './support/pulumi-engine';

const repo = path.resolve(__dirname, '..');
const example = fs.readFileSync(path.join(repo, 'stacks', 'Pulumi.fop-gate.yaml'), 'utf8');

/**
 * The stepwise CLI's refusal of an unquoted value the two readers read differently
 * (lib/stacks/ambiguous-scalars.ts): it may refuse a file `pulumi up` would take, with this
 * message, because `pulumi up` would take it as something the author did not write.
 */
const AMBIGUOUS = /pulumi up reads it as .*, the stepwise CLI as /;

/** What one reader made of a stack file: the stack, or the key paths it refused. */
type Reading = { accepted: string } | { refused: string[] };

/** Replaces `from` in the example stack file (which must hold it) with `to`. */
function edit(text: string, from: string | RegExp, to: string): string {
  const edited = text.replace(from, to);
  assert.notEqual(edited, text, `the example stack file holds ${String(from)}`);
  return edited;
}

const CASES: ReadonlyArray<{ name: string; text: string }> = [
  { name: 'the example as it is', text: example },
  { name: 'a label value that looks like a version (1.10)', text: edit(example, 'track: canary }', 'track: canary, version: 1.10 }') },
  {
    name: 'a label value that looks like a date (2026-11-30)',
    text: edit(example, 'track: canary }', 'track: canary, released: 2026-11-30 }'),
  },
  { name: 'a label value on (a YAML 1.1 boolean)', text: edit(example, 'track: canary }', 'track: canary, sidecar: on }') },
  { name: 'an env value that looks like a version', text: edit(example, 'JAVA_OPTS: -XX:MaxRAMPercentage=75', 'APP_VERSION: 1.10') },
  { name: 'an env value in binary (0b11)', text: edit(example, 'JAVA_OPTS: -XX:MaxRAMPercentage=75', 'MASK: 0b11') },
  { name: 'an env value with digit separators (1_000)', text: edit(example, 'JAVA_OPTS: -XX:MaxRAMPercentage=75', 'WORKERS: 1_000') },
  { name: 'an env value that starts with an underscore (_1)', text: edit(example, 'JAVA_OPTS: -XX:MaxRAMPercentage=75', 'WORKERS: _1') },
  {
    name: 'a description that is a date',
    text: edit(example, 'description: 9 stable + 1 canary pod, both on 1.4.0', 'description: 2026-11-30'),
  },
  { name: 'an env value with a leading zero (010)', text: edit(example, 'JAVA_OPTS: -XX:MaxRAMPercentage=75', 'UMASK: 022') },
  {
    name: 'replicas with a leading zero (010)',
    text: edit(
      example,
      '{ replicas: 9, image: registry.example.com/dora/fop-gate:1.4.0 }\n          fop-gate-canary',
      '{ replicas: 010, image: registry.example.com/dora/fop-gate:1.4.0 }\n          fop-gate-canary',
    ),
  },
  { name: 'replicas in YAML 1.2 octal (0o11)', text: edit(example, /replicas: 9,/, 'replicas: 0o11,') },
  { name: 'replicas in hex (0x9)', text: edit(example, /replicas: 9,/, 'replicas: 0x9,') },
  { name: 'replicas as 9.0', text: edit(example, /replicas: 9,/, 'replicas: 9.0,') },
  { name: 'replicas as 1e1', text: edit(example, /replicas: 9,/, 'replicas: 1e1,') },
  { name: 'replicas beyond 2^53', text: edit(example, /replicas: 9,/, 'replicas: 9007199254740993,') },
  { name: 'replicas as a quoted string', text: edit(example, /replicas: 9,/, 'replicas: "9",') },
  { name: 'paused: yes (a YAML 1.1 boolean)', text: edit(example, /replicas: 9,/, 'replicas: 9, paused: yes,') },
  { name: 'paused: True', text: edit(example, /replicas: 9,/, 'replicas: 9, paused: True,') },
  {
    name: 'a stage named 1.10, unquoted',
    text: edit(edit(example, 'stepwise:stage: baseline', 'stepwise:stage: 1.10'), '- name: baseline', '- name: 1.10'),
  },
  {
    name: 'a stage named "1.10", quoted',
    text: edit(edit(example, 'stepwise:stage: baseline', 'stepwise:stage: "1.10"'), '- name: baseline', '- name: "1.10"'),
  },
  {
    name: 'a stage named 2026-11-30',
    text: edit(edit(example, 'stepwise:stage: baseline', 'stepwise:stage: 2026-11-30'), '- name: baseline', '- name: 2026-11-30'),
  },
  {
    name: 'a stage named yes',
    text: edit(edit(example, 'stepwise:stage: baseline', 'stepwise:stage: yes'), '- name: baseline', '- name: yes'),
  },
  { name: 'an empty stage', text: edit(example, 'stepwise:stage: baseline', 'stepwise:stage:') },
  { name: 'a description of ~ (null)', text: edit(example, 'description: 9 stable + 1 canary pod, both on 1.4.0', 'description: ~') },
  {
    name: 'an anchor and an alias',
    text: edit(
      edit(
        example,
        'fop-gate: { replicas: 9, image: registry.example.com/dora/fop-gate:1.4.0 }',
        'fop-gate: { replicas: 9, image: &old registry.example.com/dora/fop-gate:1.4.0 }',
      ),
      'fop-gate-canary: { replicas: 1, image: registry.example.com/dora/fop-gate:1.4.0 }',
      'fop-gate-canary: { replicas: 1, image: *old }',
    ),
  },
  {
    name: 'a merge key (<<)',
    text: edit(
      edit(example, 'labels: { app: fop-gate, track: stable }', 'labels: &stable { app: fop-gate, track: stable }'),
      'labels: { app: fop-gate, track: canary }',
      'labels: { <<: *stable, track: canary }',
    ),
  },
  { name: 'an explicit !!str tag on replicas', text: edit(example, /replicas: 9,/, 'replicas: !!str 9,') },
  { name: 'Windows line endings', text: example.replace(/\n/g, '\r\n') },
  { name: 'a byte order mark', text: `\uFEFF${example}` },
  { name: 'a duplicated key', text: edit(example, 'stepwise:stage: baseline', 'stepwise:stage: baseline\n  stepwise:stage: canary') },
  { name: 'a tab in the indentation', text: edit(example, '  stepwise:stage: baseline', '\tstepwise:stage: baseline') },
];

let engine: PulumiEngine;
before(async () => {
  engine = await startPulumiEngine(process.env.KUBECONFIG ? undefined : e2eBinaries(), '/dev/null');
});
after(() => engine?.dispose());

/** The parts of a Stack both readers must agree on. */
function summary(stack: Stack): string {
  return JSON.stringify({ plan: stack.plan, stage: stack.stage, fromStage: stack.fromStage });
}

function reading(read: () => Stack): Reading {
  try {
    return { accepted: summary(read()) };
  } catch (error) {
    const problems = stepwiseErrorsOf(error);
    if (problems.length === 0) throw error;
    return { refused: problems.map((p) => `${p.keyPath ?? ''}: ${p.problem}`) };
  }
}

/** What the Pulumi CLI and the stepwise program make of `text`, as `pulumi preview` would run it. */
async function pulumiReading(stackName: string, text: string): Promise<Reading | { pulumiRefused: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-agreement-'));
  try {
    fs.mkdirSync(path.join(dir, 'stacks'));
    // The project's own Pulumi.yaml without its `main`: the inline program runs instead.
    const project = parseDocument(fs.readFileSync(path.join(repo, 'Pulumi.yaml'), 'utf8'));
    project.delete('main');
    fs.writeFileSync(path.join(dir, 'Pulumi.yaml'), project.toString());
    fs.writeFileSync(path.join(dir, 'stacks', `Pulumi.${stackName}.yaml`), text);
    let seen: Reading | undefined;
    try {
      const stack = await LocalWorkspace.createOrSelectStack(
        {
          stackName,
          projectName: 'stepwise',
          program: async () => {
            seen = reading(() => stackFromPulumiConfig(stackName));
            return {};
          },
        },
        { workDir: dir, pulumiCommand: engine.command, envVars: { ...engine.env } },
      );
      await stack.preview({ color: 'never' });
    } catch (error) {
      if (seen) throw error;
      // The Pulumi CLI could not read the stack's config at all: a refusal, before any program ran.
      return {
        pulumiRefused:
          (error as Error).message
            .split('\n')
            .find((line) => /^\s*error: /.test(line))
            ?.trim() ?? String(error),
      };
    }
    assert.ok(seen, 'the program ran');
    return seen;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('the stepwise CLI and pulumi up read a stack file alike', () => {
  for (const [i, { name, text }] of CASES.entries()) {
    test(name, async () => {
      const stackName = `agreement-${i}`;
      const cli = reading(() => stackFromText(stackName, `stacks/Pulumi.${stackName}.yaml`, text));
      const pulumi = await pulumiReading(stackName, text);
      const told = (r: Reading | { pulumiRefused: string }) => ('accepted' in r ? 'accepts it' : `refuses it: ${JSON.stringify(r)}`);
      if ('accepted' in cli && 'accepted' in pulumi) {
        assert.equal(pulumi.accepted, cli.accepted, `${name}: both accept the file, as different plans`);
      } else if ('refused' in cli && cli.refused.some((p) => AMBIGUOUS.test(p))) {
        // Stricter than pulumi up on purpose; nothing else may make the CLI refuse what pulumi up takes.
      } else {
        assert.ok(!('accepted' in cli) && !('accepted' in pulumi), `${name}: the stepwise CLI ${told(cli)}; pulumi up ${told(pulumi)}`);
      }
    });
  }
});
