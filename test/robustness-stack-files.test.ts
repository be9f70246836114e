import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { stepwiseErrorsOf, type StepwiseError } from '../lib/model/errors';
import { stackFromConfig, stackFromText, stackFilePath } from '../lib/stacks';
import { synthMain } from '../lib/synth/main';
import { renderStackStage } from '../lib/synth/render-stack';
import { EXAMPLE_STACKS, ROOT, STACKS_DIR, exampleConfig, tempDir } from './support/example-stacks';
import { dataMutationArbitrary, mutated, otherValueArbitrary, stackFileText, validStackConfigArbitrary } from './support/plan-generators';

// Fixed seed: a failure is reproducible, and fast-check prints the seed and the shrunk counterexample.
const SEED = 5150;
const FILE = 'stacks/Pulumi.fuzz.yaml';
const EXAMPLE_TEXTS = EXAMPLE_STACKS.map((name) => fs.readFileSync(stackFilePath(STACKS_DIR, name), 'utf8'));

/**
 * Runs `attempt`: fine when it returns; when it throws, every error must be a StepwiseError naming
 * the file and a key path (a YAML error's is `line N`). Any other exception fails the test.
 */
function rendersOrExplains(attempt: () => void): 'rendered' | readonly StepwiseError[] {
  try {
    attempt();
    return 'rendered';
  } catch (error) {
    const errors = stepwiseErrorsOf(error);
    if (errors.length === 0) assert.fail(`not a StepwiseError: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    for (const e of errors) {
      assert.equal(e.file, FILE, e.message);
      assert.ok(e.keyPath && e.keyPath.length > 0, `no key path: ${e.message}`);
      assert.ok(e.problem.length > 0, e.message);
    }
    return errors;
  }
}

/** Loads a stack from text and renders every stage of it, as synth, the CLI and Pulumi would. */
function renderText(text: string): void {
  const stack = stackFromText('fuzz', FILE, text);
  for (const stage of stack.plan.stages) renderStackStage(stack, stage.name);
}

function renderConfig(config: Record<string, unknown>): void {
  const stack = stackFromConfig('fuzz', FILE, config);
  for (const stage of stack.plan.stages) renderStackStage(stack, stage.name);
}

const exampleText = fc.constantFrom(...EXAMPLE_TEXTS);

describe('stack file text, fuzzed', () => {
  test('the example stack files themselves render', () => {
    for (const text of EXAMPLE_TEXTS)
      assert.equal(
        rendersOrExplains(() => renderText(text)),
        'rendered',
      );
  });

  test('a file truncated at any offset renders or fails with a StepwiseError naming a key path or line', () => {
    fc.assert(
      fc.property(exampleText, fc.nat(), (text, offset) => {
        rendersOrExplains(() => renderText(text.slice(0, offset % (text.length + 1))));
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  test('random unicode inserted or overwritten anywhere renders or fails with a StepwiseError', () => {
    fc.assert(
      fc.property(
        exampleText,
        fc.nat(),
        fc.nat({ max: 6 }),
        fc.string({
          unit: fc.oneof(
            fc.constantFrom(':', '-', ' ', '\n', '\t', '"', "'", '{', '}', '[', ']', '&', '*', '!', '#', '|', '>', '%', '@', '`', ','),
            fc.constant('\u0000'),
            fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
          ),
          maxLength: 8,
        }),
        (text, offset, overwrite, noise) => {
          const at = offset % (text.length + 1);
          rendersOrExplains(() => renderText(text.slice(0, at) + noise + text.slice(at + overwrite)));
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
  });

  test('lines dropped, duplicated or re-indented render or fail with a StepwiseError', () => {
    fc.assert(
      fc.property(exampleText, fc.nat(), fc.constantFrom('drop', 'duplicate', 'indent', 'dedent'), (text, pick, edit) => {
        const lines = text.split('\n');
        const i = pick % lines.length;
        if (edit === 'drop') lines.splice(i, 1);
        else if (edit === 'duplicate') lines.splice(i, 0, lines[i]);
        else if (edit === 'indent') lines[i] = `  ${lines[i]}`;
        else lines[i] = lines[i].replace(/^ {2}/, '');
        rendersOrExplains(() => renderText(lines.join('\n')));
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  test('text that is not a stack file at all fails with a StepwiseError', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 40 }),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        (text) => {
          rendersOrExplains(() => renderText(text));
        },
      ),
      { seed: SEED, numRuns: 150 },
    );
  });

  test('an alias bomb is refused with a StepwiseError, not expanded', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++)
      lines.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(', ')}]`,
      );
    const text = `${lines.join('\n')}\nconfig:\n  stepwise:stage: *i\n`;
    const result = rendersOrExplains(() => renderText(text));
    assert.notEqual(result, 'rendered');
  });
});

describe('stack file data, type-confused', () => {
  test('keys dropped or values of other types anywhere in an example render or fail with a StepwiseError naming a key path', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...EXAMPLE_STACKS),
        fc.array(dataMutationArbitrary, { minLength: 1, maxLength: 4 }),
        (name, mutations) => {
          const config = mutated(exampleConfig(name), mutations);
          rendersOrExplains(() => renderConfig(config));
          // The same data written out as a file and read back takes the YAML path too.
          rendersOrExplains(() => renderText(stackFileText(config)));
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });

  test('anything at all as the plan, or as the stage, fails with a StepwiseError naming a key path', () => {
    fc.assert(
      fc.property(fc.oneof(otherValueArbitrary, fc.anything({ maxDepth: 3 })), fc.boolean(), (value, asPlan) => {
        const config = exampleConfig('fop-gate');
        config[asPlan ? 'stepwise:plan' : 'stepwise:stage'] = value;
        const result = rendersOrExplains(() => renderConfig(config));
        if (asPlan) assert.notEqual(result, 'rendered');
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  test('keys that are JavaScript object internals (__proto__, constructor) are reported, not obeyed', () => {
    for (const key of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      const text = fs
        .readFileSync(stackFilePath(STACKS_DIR, 'fop-gate'), 'utf8')
        .replace('    workloads:\n      fop-gate:\n', `    workloads:\n      ${key}:\n        labels: { app: x }\n      fop-gate:\n`);
      assert.notEqual(
        rendersOrExplains(() => renderText(text)),
        'rendered',
        key,
      );
    }
  });

  test('random valid plans render every stage', () => {
    fc.assert(
      fc.property(validStackConfigArbitrary({ maxApps: 2, maxWorkloadsPerApp: 3, maxStages: 3 }), (config) => {
        assert.equal(
          rendersOrExplains(() => renderConfig(config)),
          'rendered',
        );
      }),
      { seed: SEED, numRuns: 40 },
    );
  });
});

/** Every file under `dir` with its bytes. */
function snapshotDir(dir: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile())
      result[path.relative(dir, path.join(entry.parentPath, entry.name))] = fs
        .readFileSync(path.join(entry.parentPath, entry.name))
        .toString('base64');
  }
  return result;
}

/** Runs synth in this process with its progress lines kept off the test output. */
function quietSynth(args: string[]): unknown {
  const out = process.stdout.write;
  const err = process.stderr.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    synthMain(args);
    return undefined;
  } catch (error) {
    return error;
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

describe('npm run synth with a broken stack beside valid ones', () => {
  test('never writes partial output: the previous output stays byte-identical', () => {
    const dir = tempDir();
    const stacks = path.join(dir, 'stacks');
    const out = path.join(dir, 'dist');
    fs.cpSync(STACKS_DIR, stacks, { recursive: true });
    assert.equal(quietSynth(['--stacks', stacks, '--out', out]), undefined);
    const before = snapshotDir(out);
    const files = EXAMPLE_STACKS.map((name) => stackFilePath(stacks, name));

    fc.assert(
      fc.property(
        fc.nat(),
        fc.nat(),
        fc.array(dataMutationArbitrary, { minLength: 1, maxLength: 3 }),
        (brokenPick, changedPick, mutations) => {
          const broken = brokenPick % files.length;
          const changed = (broken + 1 + (changedPick % (files.length - 1))) % files.length;
          const brokenText = stackFileText(mutated(exampleConfig(EXAMPLE_STACKS[broken]), mutations));
          let valid = true;
          try {
            stackFromText('x', 'x', brokenText);
          } catch {
            valid = false;
          }
          fc.pre(!valid);
          // A good stack moved to its last stage: its output would change if anything were written.
          const config = exampleConfig(EXAMPLE_STACKS[changed]);
          const plan = config['stepwise:plan'] as { stages: { name: string }[] };
          config['stepwise:stage'] = plan.stages[plan.stages.length - 1].name;
          try {
            fs.writeFileSync(files[broken], brokenText);
            fs.writeFileSync(files[changed], stackFileText(config));
            const error = quietSynth(['--stacks', stacks, '--out', out]);
            assert.ok(stepwiseErrorsOf(error).length > 0, `synth did not fail with StepwiseErrors: ${String(error)}`);
            assert.deepEqual(snapshotDir(out), before);
          } finally {
            files.forEach((file, i) => fs.writeFileSync(file, EXAMPLE_TEXTS[i]));
          }
        },
      ),
      { seed: SEED, numRuns: 25 },
    );
  });

  test('the spawned synth on a truncated stack file exits 1 without a stack trace and leaves the output alone', () => {
    const dir = tempDir();
    const stacks = path.join(dir, 'stacks');
    const out = path.join(dir, 'dist');
    fs.cpSync(STACKS_DIR, stacks, { recursive: true });
    const synth = () =>
      spawnSync(path.join(ROOT, 'node_modules', '.bin', 'tsx'), [path.join(ROOT, 'lib/synth/main.ts'), '--stacks', stacks, '--out', out], {
        cwd: ROOT,
        encoding: 'utf8',
      });
    assert.equal(synth().status, 0);
    const before = snapshotDir(out);
    const file = stackFilePath(stacks, 'trade-aone');
    fs.writeFileSync(file, EXAMPLE_TEXTS[EXAMPLE_STACKS.indexOf('trade-aone')].slice(0, 1500));
    const result = synth();
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /Pulumi\.trade-aone\.yaml: /);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    assert.deepEqual(snapshotDir(out), before);
  });
});

describe('stack file text, problems named precisely', () => {
  const fopGate = fs.readFileSync(stackFilePath(STACKS_DIR, 'fop-gate'), 'utf8');
  /** The 1-based line of fop-gate's stack file that is exactly `text`. */
  const lineOf = (text: string) => fopGate.split('\n').indexOf(text) + 1;
  const kindLine = lineOf('    kind: CanaryService');

  /** The one StepwiseError loading `text` throws. */
  function onlyError(text: string): StepwiseError {
    const result = rendersOrExplains(() => renderText(text));
    assert.notEqual(result, 'rendered');
    const errors = result as readonly StepwiseError[];
    assert.equal(errors.length, 1, errors.map((e) => e.message).join('\n'));
    return errors[0];
  }

  test('a key written twice is named by its key path and both lines, with no advice about indentation', () => {
    const error = onlyError(fopGate.replace('    kind: CanaryService\n', '    kind: CanaryService\n    kind: CanaryService\n'));
    assert.equal(error.keyPath, 'config.stepwise:plan.kind');
    assert.match(error.problem, new RegExp(`is written twice in the same mapping \\(lines ${kindLine} and ${kindLine + 1}\\)`));
    assert.match(error.fix ?? '', /keep one of the two `kind:` lines/);
    assert.doesNotMatch(error.message, /indentation/);
  });

  test('a key written twice inside a list item is named with the item index', () => {
    const error = onlyError(fopGate.replace('fop-gate: { replicas: 9, image:', 'fop-gate: { replicas: 9, replicas: 9, image:'));
    assert.equal(error.keyPath, 'config.stepwise:plan.stages[0].workloads.fop-gate.replicas');
  });

  test('an unquoted 010 is refused: pulumi up would read 8 (YAML 1.1 octal) where check reads 10', () => {
    const error = onlyError(fopGate.replace('fop-gate: { replicas: 9, image:', 'fop-gate: { replicas: 010, image:'));
    assert.equal(error.keyPath, 'config.stepwise:plan.stages[0].workloads.fop-gate.replicas');
    assert.match(error.problem, /^is 010 unquoted \(line \d+\): pulumi up reads it as the number 8, the stepwise CLI as the number 10$/);
    assert.match(error.fix ?? '', /quote it \('010'\)/);
  });

  test('an unquoted date is refused: pulumi up would pass it to the program as a timestamp', () => {
    const error = onlyError(fopGate.replace('track: canary }', 'track: canary, released: 2026-11-30 }'));
    assert.equal(error.keyPath, 'config.stepwise:plan.workloads.fop-gate-canary.labels.released');
    assert.match(error.problem, /pulumi up reads it as a date .* the stepwise CLI as the text '2026-11-30'/);
  });

  test('unquoted 0b11 and 1_000 are refused; quoted values, and replicas 0o11, 0x9, 9, are read as written', () => {
    assert.match(
      onlyError(fopGate.replace('JAVA_OPTS: -XX:MaxRAMPercentage=75', 'MASK: 0b11')).problem,
      /the number 3, the stepwise CLI as the text '0b11'/,
    );
    assert.match(
      onlyError(fopGate.replace('JAVA_OPTS: -XX:MaxRAMPercentage=75', 'WORKERS: 1_000')).problem,
      /the number 1000, the stepwise CLI as the text '1_000'/,
    );
    for (const written of ['"0b11"', "'1_000'", '"2026-11-30"', "'010'"]) {
      assert.equal(
        rendersOrExplains(() => renderText(fopGate.replace('JAVA_OPTS: -XX:MaxRAMPercentage=75', `VALUE: ${written}`))),
        'rendered',
        written,
      );
    }
    for (const nine of ['0o11', '0x9', '9']) {
      const stack = stackFromText(
        'fop-gate',
        FILE,
        fopGate.replace('fop-gate: { replicas: 9, image:', `fop-gate: { replicas: ${nine}, image:`),
      );
      assert.equal(stack.plan.stages[0].workloads['fop-gate'].replicas, 9, nine);
    }
  });

  test('a value that starts with an underscore (_1, _1_000) is text, as pulumi up reads it: only a digit or a sign starts a number', () => {
    for (const written of ['_1', '_1_000', '_2026-11-30']) {
      const stack = stackFromText('fop-gate', FILE, fopGate.replace('JAVA_OPTS: -XX:MaxRAMPercentage=75', `WORKERS: ${written}`));
      assert.equal(stack.plan.workloads.find((w) => w.name === 'fop-gate')?.env?.WORKERS, written);
    }
  });

  test('a YAML merge key (<<) is read as pulumi up reads it', () => {
    const text = fopGate
      .replace('labels: { app: fop-gate, track: stable }', 'labels: &stable { app: fop-gate, track: stable }')
      .replace('labels: { app: fop-gate, track: canary }', 'labels: { <<: *stable, track: canary }');
    const stack = stackFromText('fop-gate', FILE, text);
    assert.deepEqual(stack.plan.workloads.find((w) => w.name === 'fop-gate-canary')?.selector.matchLabels, {
      app: 'fop-gate',
      track: 'canary',
    });
  });

  test('a deeply nested but valid document is refused with its line, not a stack overflow', () => {
    const text = fopGate.replace(
      '    kind: CanaryService\n',
      `    kind: CanaryService\n    traffic: ${'['.repeat(5000)}${']'.repeat(5000)}\n`,
    );
    const error = onlyError(text);
    assert.equal(error.keyPath, `line ${kindLine + 1}`);
    assert.match(error.problem, /^nests mappings and lists more than 64 levels deep \(column \d+\)/);
    assert.doesNotMatch(error.message, /call stack/);
  });

  test('nesting within the limit is read as usual (the plan check, not the depth, reports it)', () => {
    const text = fopGate.replace('    kind: CanaryService\n', `    kind: CanaryService\n    traffic: ${'['.repeat(50)}${']'.repeat(50)}\n`);
    assert.doesNotMatch(onlyError(text).message, /levels deep/);
  });

  test('a raw NUL byte is reported with its line and column and never echoed', () => {
    const error = onlyError(fopGate.replace('namespace: dora-apps', 'namespace: dora\0apps'));
    assert.equal(error.keyPath, `line ${lineOf('    namespace: dora-apps')}`);
    assert.match(error.problem, /column 20 holds the control character U\+0000, which YAML does not allow/);
    assert.ok(!error.message.includes('\0'), error.message);
  });

  test('a NUL written as an escape is refused at its key path, and every message shows it escaped', () => {
    const result = rendersOrExplains(() => renderText(fopGate.replace('namespace: dora-apps', 'namespace: "dora\\0apps"')));
    const errors = result as readonly StepwiseError[];
    assert.ok(
      errors.some((e) => /^config\.stepwise:plan\.namespace: contains the control character U\+0000/.test(e.keyPath + ': ' + e.problem)),
      errors.map((e) => e.message).join('\n'),
    );
    for (const e of errors) assert.ok(!e.message.includes('\0') && !e.message.includes('\n'), e.message);
    assert.ok(errors.some((e) => e.message.includes("'dora\\u0000apps'")));
  });

  test('a NUL in an image, which every other check lets through, is refused', () => {
    const error = onlyError(
      fopGate.replace(
        'fop-gate-canary: { replicas: 1, image: registry.example.com/dora/fop-gate:1.5.0 }',
        'fop-gate-canary: { replicas: 1, image: "registry.example.com/dora/fop-gate:1.5.0\\0" }',
      ),
    );
    assert.equal(error.keyPath, 'config.stepwise:plan.stages[1].workloads.fop-gate-canary.image');
  });
});
