/**
 * The stage edit of promote and rollback goes through the `yaml` CST: the two values change and
 * every other byte stays the author's — comments on the same line, quoting, flow style, CRLF line
 * endings — and a missing key is a StepwiseError naming the file and the key.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { StepwiseError } from '../lib/model/errors';
import { setStageInText } from '../lib/stacks/stage-edit';

const move = { stage: 'canary', fromStage: 'baseline' };
const edit = (text: string) => setStageInText(text, move, 'stacks/Pulumi.x.yaml');

describe('the stage edit keeps the file as written', () => {
  test('comments on the same line as both values stay, after the new values', () => {
    const text = 'config:\n  stepwise:stage: baseline   # where the cluster is\n  stepwise:fromStage: x # before\n  stepwise:plan: {}\n';
    assert.equal(
      edit(text),
      'config:\n  stepwise:stage: canary   # where the cluster is\n  stepwise:fromStage: baseline # before\n  stepwise:plan: {}\n',
    );
  });

  test('a missing fromStage goes on the line after a stage line that ends with a comment', () => {
    assert.equal(
      edit('config:\n  stepwise:stage: baseline # here\n  stepwise:plan: {}\n'),
      'config:\n  stepwise:stage: canary # here\n  stepwise:fromStage: baseline\n  stepwise:plan: {}\n',
    );
  });

  test('single- and double-quoted values keep their quotes; a quoted key is found', () => {
    assert.equal(
      edit(`config:\n  "stepwise:stage": 'baseline'\n  'stepwise:fromStage': "x"\n`),
      `config:\n  "stepwise:stage": 'canary'\n  'stepwise:fromStage': "baseline"\n`,
    );
  });

  test('comment lines and blank lines between and around the keys stay where they are', () => {
    const text =
      '# top\n\nconfig:\n  # the stage\n  stepwise:stage: baseline\n\n  # the plan\n  stepwise:plan:\n    kind: CanaryService # kind\n';
    assert.equal(edit(text), text.replace('stepwise:stage: baseline\n', 'stepwise:stage: canary\n  stepwise:fromStage: baseline\n'));
  });

  test('flow style: both values present are replaced in place, the rest of the line unchanged', () => {
    const text = 'config: {stepwise:stage: baseline,  stepwise:fromStage: "x", stepwise:plan: {kind: CanaryService}}\n';
    assert.equal(edit(text), 'config: {stepwise:stage: canary,  stepwise:fromStage: "baseline", stepwise:plan: {kind: CanaryService}}\n');
  });

  test('flow style: a missing fromStage is added right after the stage', () => {
    const text = 'config: { stepwise:stage: baseline , stepwise:plan: {} } # all on one line\n';
    const edited = edit(text);
    assert.equal(edited, 'config: { stepwise:stage: canary, stepwise:fromStage: baseline , stepwise:plan: {} } # all on one line\n');
    assert.deepEqual(parse(edited), { config: { 'stepwise:stage': 'canary', 'stepwise:fromStage': 'baseline', 'stepwise:plan': {} } });
  });

  test('CRLF line endings: the edited lines and the added line end in CRLF, every other byte unchanged', () => {
    const text = '# a\r\nconfig:\r\n  stepwise:stage: baseline # b\r\n  stepwise:plan:\r\n    kind: CanaryService\r\n';
    const edited = edit(text);
    assert.equal(
      edited,
      '# a\r\nconfig:\r\n  stepwise:stage: canary # b\r\n  stepwise:fromStage: baseline\r\n  stepwise:plan:\r\n    kind: CanaryService\r\n',
    );
    assert.ok(!/[^\r]\n/.test(edited), 'no bare LF');
  });

  test('CRLF with both keys present: only the two values change', () => {
    const text = 'config:\r\n  stepwise:stage: baseline\r\n  stepwise:fromStage: x\r\n';
    assert.equal(edit(text), 'config:\r\n  stepwise:stage: canary\r\n  stepwise:fromStage: baseline\r\n');
  });

  test('a deeper indentation is kept for the added line', () => {
    assert.equal(
      edit('config:\n    stepwise:stage: baseline\n'),
      'config:\n    stepwise:stage: canary\n    stepwise:fromStage: baseline\n',
    );
  });
});

describe('the stage edit refuses what it cannot find', () => {
  const refused = (text: string, keyPath: string, problem: RegExp) =>
    assert.throws(
      () => edit(text),
      (error: unknown) => {
        assert.ok(error instanceof StepwiseError, `not a StepwiseError: ${String(error)}`);
        assert.equal(error.file, 'stacks/Pulumi.x.yaml');
        assert.equal(error.keyPath, keyPath);
        assert.match(error.message, problem);
        assert.doesNotMatch(error.message, /\n\s+at /, 'no stack trace');
        return true;
      },
    );

  test('a file without config names the file and the config key', () => {
    refused('other: 1\n', 'config', /^stacks\/Pulumi\.x\.yaml: config: is missing/);
  });

  test('a config without stepwise:stage names the file and config.stepwise:stage', () => {
    refused(
      'config:\n  stepwise:fromStage: a\n',
      'config.stepwise:stage',
      /config\.stepwise:stage: is missing \(fix: add `stepwise:stage: <stage name>`/,
    );
  });

  test('a flow config without stepwise:stage names the file and config.stepwise:stage', () => {
    refused('config: { stepwise:plan: {} }\n', 'config.stepwise:stage', /is missing/);
  });

  test('a config that is a list names the file and config', () => {
    refused('config:\n  - stepwise:stage: a\n', 'config', /config: is not a mapping/);
  });
});
