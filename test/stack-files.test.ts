import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { StepwiseError } from '../lib/model/errors';
import { StackNotFoundError, listStacks, loadStack } from '../lib/stacks';
import { copyOfStacks, tempDir } from './support/example-stacks';
import { cannotRunUnprivileged, runCliUnprivileged } from './support/unprivileged';

/** The error `fn` throws (fails when it throws nothing). */
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  assert.fail('expected an error');
}

describe('reading stack files', () => {
  test('a stack that is not in the stacks directory is an unknown stack, listing those there are', () => {
    const error = thrownBy(() => loadStack(copyOfStacks(), 'fop-gat'));
    assert.ok(error instanceof StackNotFoundError);
    assert.match(error.message, /Pulumi\.fop-gat\.yaml: unknown stack 'fop-gat': the file does not exist \(fix: use one of: .*fop-gate/);
  });

  test('a stacks directory that does not exist is named as such, not as a missing stack', () => {
    const missing = path.join(tempDir(), 'nonexist');
    const error = thrownBy(() => loadStack(missing, 'fop-gate'));
    assert.ok(error instanceof StackNotFoundError);
    assert.equal(error.message, `${missing}: the stacks directory does not exist (fix: run from the project root, or pass --stacks DIR)`);
    assert.equal((thrownBy(() => listStacks(missing)) as Error).message, error.message);
  });

  test('a stacks directory that is a file is named as such', () => {
    const file = path.join(tempDir(), 'hostname');
    fs.writeFileSync(file, 'x');
    const error = thrownBy(() => loadStack(file, 'fop-gate'));
    assert.ok(error instanceof StackNotFoundError);
    assert.match(
      error.message,
      /hostname: the stacks directory is not a directory \(fix: run from the project root, or pass --stacks DIR\)$/,
    );
  });

  test('a directory where the stack file should be is reported as such, not as an unknown stack', () => {
    const stacks = copyOfStacks();
    fs.mkdirSync(path.join(stacks, 'Pulumi.odd.yaml'));
    const error = thrownBy(() => loadStack(stacks, 'odd'));
    assert.ok(error instanceof StepwiseError);
    assert.ok(!(error instanceof StackNotFoundError));
    assert.match(error.message, /Pulumi\.odd\.yaml: is a directory, not a stack file/);
  });
});

/** A project anyone can read, holding a copy of stacks/. */
function sharedProject(): string {
  const stacks = copyOfStacks();
  fs.chmodSync(path.dirname(stacks), 0o755);
  return path.dirname(stacks);
}

describe('stack files a user cannot read', { skip: cannotRunUnprivileged }, () => {
  test('an unreadable stack file exits 1 saying permission denied, not that the stack is unknown', () => {
    const dir = sharedProject();
    fs.chmodSync(path.join(dir, 'stacks', 'Pulumi.fop-gate.yaml'), 0o000);
    const result = runCliUnprivileged(['plan', 'fop-gate'], dir);
    assert.equal(result.code, 1, result.stderr);
    assert.equal(
      result.stderr,
      "stepwise: stacks/Pulumi.fop-gate.yaml: cannot be read: permission denied (fix: check the file's permissions)\n",
    );
  });

  test('an unreadable stacks directory exits 1 naming the directory, not 2 as if the stack name were a typo', () => {
    const dir = sharedProject();
    fs.chmodSync(path.join(dir, 'stacks'), 0o000);
    const result = runCliUnprivileged(['plan', 'fop-gate'], dir);
    fs.chmodSync(path.join(dir, 'stacks'), 0o755); // so the temporary directory can be removed
    assert.equal(result.code, 1, result.stderr);
    assert.equal(
      result.stderr,
      "stepwise: stacks: the stacks directory cannot be read: permission denied (fix: check the directory's permissions)\n",
    );
  });
});
