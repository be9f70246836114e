import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { Composer, parse, Parser } from 'yaml';
import { StepwiseError } from '../lib/model/errors';
import { stackFromText } from '../lib/stacks';
import { setStageInText, verifyEdit, writeStackFileAtomically } from '../lib/stacks/stage-edit';
import { EXAMPLE_STACKS, STACKS_DIR, tempDir } from './support/example-stacks';

const read = (name: string) => fs.readFileSync(path.join(STACKS_DIR, `Pulumi.${name}.yaml`), 'utf8');

describe('editing stepwise:stage in a stack file', () => {
  for (const name of EXAMPLE_STACKS) {
    test(`moving ${name} to its second stage changes only the stage lines and keeps every comment`, () => {
      const before = read(name);
      const stack = stackFromText(name, 'f', before);
      const second = stack.plan.stages[1].name;
      const after = setStageInText(before, { stage: second, fromStage: stack.stage }, 'f');
      // Byte for byte: everything before the stage line and everything after it is unchanged; the
      // stage line is replaced and the fromStage line follows it.
      const lineStart = before.search(/^ *stepwise:stage: /m);
      const lineEnd = before.indexOf('\n', lineStart) + 1;
      const indent = /^ */.exec(before.slice(lineStart))![0];
      const newLines = `${indent}stepwise:stage: ${second}\n${indent}stepwise:fromStage: ${stack.stage}\n`;
      assert.equal(after, before.slice(0, lineStart) + newLines + before.slice(lineEnd));
      for (const comment of before.split('\n').filter((line) => line.trim().startsWith('#'))) assert.ok(after.includes(comment));
      const moved = stackFromText(name, 'f', after);
      assert.equal(moved.stage, second);
      assert.equal(moved.fromStage, stack.stage);
    });
  }

  test('a second move replaces both values in place and adds no line', () => {
    const once = setStageInText(read('fop-gate'), { stage: 'canary', fromStage: 'baseline' }, 'f');
    const twice = setStageInText(once, { stage: 'canary-widened', fromStage: 'canary' }, 'f');
    assert.equal(twice.split('\n').length, once.split('\n').length);
    assert.equal(
      twice,
      once
        .replace('stepwise:stage: canary\n', 'stepwise:stage: canary-widened\n')
        .replace('stepwise:fromStage: baseline', 'stepwise:fromStage: canary'),
    );
  });

  test('quoted values keep their quotes, and a trailing comment stays on its line', () => {
    const text = `config:\n  stepwise:stage: "a" # where we are\n  stepwise:fromStage: 'z'\n  stepwise:plan: {}\n`;
    const edited = setStageInText(text, { stage: "b's", fromStage: 'a' }, 'f');
    assert.equal(edited, `config:\n  stepwise:stage: "b's" # where we are\n  stepwise:fromStage: 'a'\n  stepwise:plan: {}\n`);
  });

  test('a stage name YAML would read as another type is written quoted', () => {
    const edited = setStageInText('config:\n  stepwise:stage: a\n', { stage: 'true', fromStage: '1.0' }, 'f');
    assert.deepEqual(parse(edited), { config: { 'stepwise:stage': 'true', 'stepwise:fromStage': '1.0' } });
  });

  test('a file without a final newline gets the fromStage line after a newline', () => {
    assert.equal(
      setStageInText('config:\n  stepwise:stage: a', { stage: 'b', fromStage: 'a' }, 'f'),
      'config:\n  stepwise:stage: b\n  stepwise:fromStage: a',
    );
  });

  test('a config written as a flow mapping is edited in place (the CST edit keeps flow style)', () => {
    assert.equal(
      setStageInText('config: { stepwise:stage: a }\n', { stage: 'b', fromStage: 'a' }, 'stacks/Pulumi.x.yaml'),
      'config: { stepwise:stage: b, stepwise:fromStage: a }\n',
    );
  });

  test('a file without stepwise:stage is refused', () => {
    assert.throws(() => setStageInText('config:\n  other: 1\n', { stage: 'b', fromStage: 'a' }, 'f'), /stepwise:stage: is missing/);
  });

  test('a block-scalar stage becomes a one-line value, keeping the line break, the comment and the next key', () => {
    const text = 'config:\n  stepwise:stage: |- # where we are\n    baseline\n  stepwise:plan: {}\n';
    assert.equal(
      setStageInText(text, { stage: 'canary', fromStage: 'baseline' }, 'f'),
      'config:\n  stepwise:stage: canary # where we are\n  stepwise:fromStage: baseline\n  stepwise:plan: {}\n',
    );
  });

  test('block-scalar stage and fromStage values (folded, keep-chomped) are both replaced in place', () => {
    const text = 'config:\n  stepwise:stage: >\n    canary\n  stepwise:fromStage: |+\n    baseline\n\n  stepwise:plan: {}\n';
    const edited = setStageInText(text, { stage: 'canary-widened', fromStage: 'canary' }, 'f');
    assert.equal(edited, 'config:\n  stepwise:stage: canary-widened\n  stepwise:fromStage: canary\n\n  stepwise:plan: {}\n');
  });

  test('an empty stepwise:fromStage gets the value after its colon', () => {
    const text = 'config:\n  stepwise:stage: a\n  stepwise:fromStage:\n  stepwise:fromStage-note: x\n';
    assert.deepEqual(parse(setStageInText(text, { stage: 'b', fromStage: 'a' }, 'f')), {
      config: { 'stepwise:stage': 'b', 'stepwise:fromStage': 'a', 'stepwise:fromStage-note': 'x' },
    });
  });

  const refusals: [string, string, string, RegExp][] = [
    [
      'an alias as stepwise:fromStage',
      'x: &s baseline\nconfig:\n  stepwise:stage: canary\n  stepwise:fromStage: *s\n',
      'config.stepwise:fromStage',
      /is an alias \(\*s\)/,
    ],
    ['an alias as stepwise:stage', 'x: &s baseline\nconfig:\n  stepwise:stage: *s\n', 'config.stepwise:stage', /is an alias \(\*s\)/],
    [
      'an explicit stepwise:stage key',
      'config:\n  ? stepwise:stage\n  : baseline\n',
      'config.stepwise:stage',
      /explicit key \(`\? stepwise:stage`\)/,
    ],
    [
      'an explicit stepwise:stage key with a fromStage',
      'config:\n  ? stepwise:stage\n  : baseline\n  stepwise:fromStage: x\n',
      'config.stepwise:stage',
      /explicit key/,
    ],
    [
      'an explicit stepwise:fromStage key',
      'config:\n  stepwise:stage: baseline\n  ?\n    stepwise:fromStage\n  : x\n',
      'config.stepwise:fromStage',
      /explicit key/,
    ],
    ['a stepwise:stage holding a list', 'config:\n  stepwise:stage: [a]\n', 'config.stepwise:stage', /is not a single value/],
    [
      'an anchored stage another key aliases',
      'config:\n  stepwise:stage: &s baseline\n  other: *s\n',
      'config.stepwise:stage',
      /could not be changed without touching other lines/,
    ],
  ];
  for (const [what, text, keyPath, problem] of refusals) {
    test(`${what} is refused with a StepwiseError naming the file and key`, () => {
      assert.throws(
        () => setStageInText(text, { stage: 'canary', fromStage: 'baseline' }, 'stacks/Pulumi.x.yaml'),
        (error: unknown) => {
          assert.ok(error instanceof StepwiseError, `not a StepwiseError: ${String(error)}`);
          assert.equal(error.file, 'stacks/Pulumi.x.yaml');
          assert.equal(error.keyPath, keyPath);
          assert.match(error.message, problem);
          assert.match(error.fix ?? '', /stepwise:(stage|fromStage)/);
          return true;
        },
      );
    });
  }

  test('a read-only stack file is refused, even for root, and keeps its content and mode', () => {
    const dir = tempDir();
    const file = path.join(dir, 'Pulumi.x.yaml');
    fs.writeFileSync(file, 'old\n');
    fs.chmodSync(file, 0o444);
    assert.throws(
      () => writeStackFileAtomically(file, 'new\n'),
      (error: unknown) =>
        error instanceof StepwiseError && error.message === `${file}: is read-only (fix: chmod u+w ${file}, or edit it by hand)`,
    );
    assert.equal(fs.readFileSync(file, 'utf8'), 'old\n');
    assert.equal(fs.statSync(file).mode & 0o777, 0o444);
    assert.deepEqual(fs.readdirSync(dir), ['Pulumi.x.yaml']);
  });

  test('the atomic write keeps a group-write bit the umask would clear', () => {
    const dir = tempDir();
    const file = path.join(dir, 'Pulumi.x.yaml');
    fs.writeFileSync(file, 'old\n');
    fs.chmodSync(file, 0o664);
    const umask = process.umask(0o022);
    try {
      writeStackFileAtomically(file, 'new\n');
    } finally {
      process.umask(umask);
    }
    assert.equal(fs.statSync(file).mode & 0o777, 0o664);
  });

  test('the atomic write replaces the content, keeps the permission bits and leaves no temporary file', () => {
    const dir = tempDir();
    const file = path.join(dir, 'Pulumi.x.yaml');
    fs.writeFileSync(file, 'old\n', { mode: 0o640 });
    fs.chmodSync(file, 0o640);
    writeStackFileAtomically(file, 'new\n');
    assert.equal(fs.readFileSync(file, 'utf8'), 'new\n');
    assert.equal(fs.statSync(file).mode & 0o777, 0o640);
    assert.deepEqual(fs.readdirSync(dir), ['Pulumi.x.yaml']);
  });

  test('a symlinked stack file stays a link, and the file it points to gets the new text and keeps its mode', () => {
    const dir = tempDir();
    const shared = path.join(dir, 'shared');
    fs.mkdirSync(shared);
    const target = path.join(shared, 'Pulumi.x.yaml');
    fs.writeFileSync(target, 'old\n');
    fs.chmodSync(target, 0o640);
    const stacks = path.join(dir, 'stacks');
    fs.mkdirSync(stacks);
    // A relative link, reached through a second link: both stay links.
    fs.symlinkSync('../shared/Pulumi.x.yaml', path.join(stacks, 'Pulumi.y.yaml'));
    fs.symlinkSync('Pulumi.y.yaml', path.join(stacks, 'Pulumi.x.yaml'));
    writeStackFileAtomically(path.join(stacks, 'Pulumi.x.yaml'), 'new\n');
    assert.ok(fs.lstatSync(path.join(stacks, 'Pulumi.x.yaml')).isSymbolicLink());
    assert.ok(fs.lstatSync(path.join(stacks, 'Pulumi.y.yaml')).isSymbolicLink());
    assert.equal(fs.readFileSync(target, 'utf8'), 'new\n');
    assert.equal(fs.statSync(target).mode & 0o777, 0o640);
    assert.deepEqual(fs.readdirSync(shared), ['Pulumi.x.yaml'], 'no temporary file left beside the target');
    assert.deepEqual(fs.readdirSync(stacks).sort(), ['Pulumi.x.yaml', 'Pulumi.y.yaml']);
  });

  test('a symlink loop is a StepwiseError, and nothing is written', () => {
    const dir = tempDir();
    fs.symlinkSync('Pulumi.b.yaml', path.join(dir, 'Pulumi.a.yaml'));
    fs.symlinkSync('Pulumi.a.yaml', path.join(dir, 'Pulumi.b.yaml'));
    assert.throws(() => writeStackFileAtomically(path.join(dir, 'Pulumi.a.yaml'), 'new\n'), StepwiseError);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['Pulumi.a.yaml', 'Pulumi.b.yaml']);
  });

  test('a failed write is a StepwiseError and leaves the old file and no temporary file', () => {
    const dir = tempDir();
    const file = path.join(dir, 'Pulumi.x.yaml');
    fs.writeFileSync(file, 'old\n');
    fs.mkdirSync(path.join(dir, `.Pulumi.x.yaml.${process.pid}.tmp`)); // the temp path is taken by a directory
    assert.throws(() => writeStackFileAtomically(file, 'new\n'), StepwiseError);
    assert.equal(fs.readFileSync(file, 'utf8'), 'old\n');
  });
});

describe('the read-back check of an edit', () => {
  const original = 'config:\n  stepwise:stage: baseline\n  stepwise:plan:\n    kind: CanaryService\n    replicas: 9\n';
  const before = [...new Composer().compose([...new Parser().parse(original)])];
  const move = { stage: 'canary', fromStage: 'baseline' };
  const verify = (after: string) => () => verifyEdit(before, original, after, move, 'stacks/Pulumi.x.yaml');
  const edited = original.replace('stepwise:stage: baseline', 'stepwise:stage: canary\n  stepwise:fromStage: baseline');

  test('passes an edit that changes only the two keys', () => {
    verify(edited)();
  });

  test('refuses an edit that changes anything else, read by the fast reader or by the yaml package', () => {
    const refused = /could not be changed without touching other lines/;
    // Plain text: both sides are read by the fast reader.
    assert.throws(verify(edited.replace('replicas: 9', 'replicas: 8')), refused);
    assert.throws(verify(edited.replace('stepwise:fromStage: baseline', 'stepwise:fromStage: canary')), refused);
    // A repeated key and an anchor: the fast reader leaves them to the yaml package.
    assert.throws(verify(`${edited}    replicas: 9\n`), refused);
    assert.throws(verify(edited.replace('replicas: 9', 'replicas: &r 8')), refused);
    assert.throws(verify(`${edited}  other: [\n`), refused);
  });
});
