import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import Ajv, { type ValidateFunction } from 'ajv';
import {
  STACK_FILE_REFERENCE_PATH,
  STACK_FILE_SCHEMA_PATH,
  stackFileJsonSchema,
  stackFileJsonSchemaText,
  stackFileReferenceText,
} from '../lib/schema';
import { parseStackYaml, stackFilePath, stackFromConfig } from '../lib/stacks';
import { setStageInText } from '../lib/stacks/stage-edit';
import { EXAMPLE_STACKS, FIXTURE_STACKS_DIR, ROOT, STACKS_DIR, exampleConfig } from './support/example-stacks';

const SCHEMA_LINE = '# yaml-language-server: $schema=../schema/stack-file.schema.json';

let compiled: ValidateFunction | undefined;
/** The published JSON Schema, compiled once with ajv (all errors, so a failure lists every one). */
function validate(document: unknown): string[] {
  compiled ??= new Ajv({ allErrors: true, strict: true, validateFormats: false }).compile(stackFileJsonSchema());
  return compiled(document) ? [] : (compiled.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

function stackDocument(file: string): unknown {
  return parseStackYaml(fs.readFileSync(file, 'utf8'), file);
}

describe('the published stack-file schema', () => {
  test('schema/stack-file.schema.json is what `npm run schema` generates from lib/schema', () => {
    const committed = fs.readFileSync(path.join(ROOT, STACK_FILE_SCHEMA_PATH), 'utf8');
    assert.equal(committed, stackFileJsonSchemaText(), 'run `npm run schema` and commit the result');
  });

  test('docs/stack-file.md is what `npm run schema` generates from lib/schema', () => {
    const committed = fs.readFileSync(path.join(ROOT, STACK_FILE_REFERENCE_PATH), 'utf8');
    assert.equal(committed, stackFileReferenceText(), 'run `npm run schema` and commit the result');
  });

  test('the schema file is written with its keys sorted, so a regeneration is byte for byte the same', () => {
    const text = stackFileJsonSchemaText();
    assert.equal(text, stackFileJsonSchemaText());
    const keysInOrder = (value: unknown): boolean =>
      Array.isArray(value)
        ? value.every(keysInOrder)
        : value === null || typeof value !== 'object'
          ? true
          : Object.keys(value).join('\0') === Object.keys(value).sort().join('\0') && Object.values(value).every(keysInOrder);
    assert.ok(keysInOrder(JSON.parse(text)));
  });

  test('every example stack and fixture validates against the published schema', () => {
    const files = [
      ...EXAMPLE_STACKS.map((name) => stackFilePath(STACKS_DIR, name)),
      ...fs.readdirSync(FIXTURE_STACKS_DIR).map((f) => path.join(FIXTURE_STACKS_DIR, f)),
    ];
    assert.ok(files.length >= 7);
    for (const file of files) assert.deepEqual(validate(stackDocument(file)), [], file);
  });

  test('every example stack starts with the line that points editors at the schema', () => {
    for (const name of EXAMPLE_STACKS) {
      const text = fs.readFileSync(stackFilePath(STACKS_DIR, name), 'utf8');
      assert.equal(text.split('\n')[0], SCHEMA_LINE, name);
      assert.ok(fs.existsSync(path.join(STACKS_DIR, '../schema/stack-file.schema.json')));
    }
  });

  test('promote and rollback keep the schema line when they move the stage', () => {
    const file = stackFilePath(STACKS_DIR, 'fop-gate');
    const edited = setStageInText(fs.readFileSync(file, 'utf8'), { stage: 'canary', fromStage: 'baseline' }, file);
    assert.equal(edited.split('\n')[0], SCHEMA_LINE);
    assert.deepEqual(validate(parseStackYaml(edited, file)), []);
  });

  test('a misspelt plan key fails the schema, as it fails stepwise', () => {
    const config = exampleConfig('fop-gate');
    (config['stepwise:plan'] as Record<string, unknown>).workload = {};
    assert.match(
      validate({ config }).join('\n'),
      /\/config\/stepwise:plan must NOT have additional properties \{"additionalProperty":"workload"\}/,
    );
  });

  test('a misspelt stepwise config key fails the schema, while another namespace’s key is allowed', () => {
    const config = exampleConfig('fop-gate');
    config['kubernetes:context'] = 'kind-stepwise';
    assert.deepEqual(validate({ config }), []);
    config['stepwise:stages'] = 'canary';
    assert.match(validate({ config }).join('\n'), /\/config\/stepwise:stages/);
  });

  test('a stage workload with negative replicas fails the schema at its path', () => {
    const config = exampleConfig('fop-gate');
    (config['stepwise:plan'] as any).stages[2].workloads['fop-gate-canary'].replicas = -1;
    assert.match(validate({ config }).join('\n'), /\/config\/stepwise:plan\/stages\/2\/workloads\/fop-gate-canary\/replicas must be >= 0/);
  });
});

describe('the published schema and stepwise agree', () => {
  /** Mutations of an example plan that stepwise refuses; the published schema must refuse each too. */
  const refused: Record<string, [stack: string, mutate: (plan: Record<string, any>) => void]> = {
    'an unknown plan key': ['fop-gate', (p) => (p.stage = 'canary')],
    'an unknown defaults key': ['fop-gate', (p) => (p.defaults.replica = 2)],
    'an unknown probe key': ['fop-gate', (p) => (p.defaults.readinessProbe.httpget = {})],
    'an unknown volume key': ['fop-gate', (p) => (p.defaults.volumes[0].emptydir = {})],
    'an unknown stage key': ['fop-gate', (p) => (p.stages[0].replicas = 1)],
    'an unknown key of a workload in a stage': ['fop-gate', (p) => (p.stages[0].workloads['fop-gate'].tag = '1.4.0')],
    'an unknown traffic key': ['checkout-gateway', (p) => (p.traffic.hostname = 'x.example.com')],
    'an unknown gitops key': ['search-nginx', (p) => (p.gitops.syncWave = true)],
    'an unknown analysis key': ['fop-gate', (p) => (p.analysis = { prometheus: { url: 'http://p:9090' }, intervall: '5m' })],
    'a kind that is not one': ['fop-gate', (p) => (p.kind = 'Canary')],
    'negative replicas': ['fop-gate', (p) => (p.stages[1].workloads['fop-gate'].replicas = -1)],
    'a port out of range': ['fop-gate', (p) => (p.services['fop-gate'].ports[0].port = 70000)],
    'a label value that is a number': ['fop-gate', (p) => (p.workloads['fop-gate'].labels.track = 1)],
    'a syncWaves that is not a boolean': ['search-nginx', (p) => (p.gitops.syncWaves = 'yes')],
    'no stages': ['fop-gate', (p) => (p.stages = [])],
  };
  for (const [what, [stack, mutate]] of Object.entries(refused)) {
    test(`${what} is refused by both`, () => {
      const config = exampleConfig(stack);
      mutate(config['stepwise:plan'] as Record<string, any>);
      assert.throws(() => stackFromConfig(stack, 'f.yaml', config));
      assert.notDeepEqual(validate({ config }), []);
    });
  }
});
