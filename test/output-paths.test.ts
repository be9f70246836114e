import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { StepwiseError } from '../lib/model/errors';
import { outputPathError, writeOutputFile } from '../lib/synth/output-path';
import { renderStackStage } from '../lib/synth/render-stack';
import { writeRenderedStages } from '../lib/synth/write-output';
import { CLI_PATH } from './support/cli';
import { ROOT, exampleStack, tempDir } from './support/example-stacks';
import { cannotRunUnprivileged, runUnprivileged } from './support/unprivileged';

/** A file-system error as node raises it. */
function fsError(code: string, errorPath: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: failed, '${errorPath}'`), { code, path: errorPath });
}

/** Every file under `dir` with its content. */
function snapshotDir(dir: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile())
      result[path.relative(dir, path.join(entry.parentPath, entry.name))] = fs.readFileSync(
        path.join(entry.parentPath, entry.name),
        'utf8',
      );
  }
  return result;
}

describe('output path errors', () => {
  test('permission denied names the --out path, says so in words and gives the fix', () => {
    const out = tempDir();
    const error = outputPathError(fsError('EACCES', path.join(out, '.fop-gate.staging-42')), out, 'directory');
    assert.ok(error instanceof StepwiseError);
    assert.equal(
      error.message,
      `${out}: cannot be written: permission denied (fix: check the permissions of ${out}, or pass --out another directory)`,
    );
  });

  test('permission denied on a folder inside --out names that folder', () => {
    const error = outputPathError(fsError('EPERM', path.join('out', 'web-nginx')), 'out', 'directory');
    assert.match(
      error.message,
      /^out: cannot be written: permission denied on out\/web-nginx \(fix: check the permissions of out\/web-nginx/,
    );
  });

  test('a file on the way to the output directory is named as a file, not a directory', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'afile'), 'mine');
    const out = path.join(dir, 'afile', 'sub');
    const error = outputPathError(fsError('ENOTDIR', out), out, 'directory');
    assert.equal(error.file, out);
    assert.equal(error.problem, `cannot be written: ${path.join(dir, 'afile')} is a file, not a directory`);
    assert.match(error.fix ?? '', /move .*afile away, or pass --out another directory/);
  });

  test('a directory where the output file should be is named as a directory, not a file', () => {
    const error = outputPathError(fsError('EISDIR', 'o1'), 'o1', 'file');
    assert.equal(error.message, `o1: is a directory, not a file (fix: pass --out a file name, e.g. ${path.join('o1', 'release.yaml')})`);
  });

  test('a StepwiseError passes through unchanged', () => {
    const original = new StepwiseError({ file: 'x', problem: 'p', fix: 'f' });
    assert.equal(outputPathError(original, 'out', 'directory'), original);
  });
});

describe('writeRenderedStages', () => {
  const rendered = renderStackStage(exampleStack('fop-gate'));

  test('refuses a stack name that is not a plain file name, and writes nothing anywhere', () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'evil'));
    fs.writeFileSync(path.join(dir, 'evil', 'important.txt'), 'precious');
    const out = path.join(dir, 'sy5');
    assert.throws(
      () => writeRenderedStages(out, [{ ...rendered, stack: 'x/../../evil' }]),
      (error: unknown) =>
        error instanceof StepwiseError &&
        /cannot hold stack 'x\/\.\.\/\.\.\/evil': a stack name must be a plain file name/.test(error.message),
    );
    assert.deepEqual(snapshotDir(path.join(dir, 'evil')), { 'important.txt': 'precious' });
    assert.equal(fs.existsSync(out), false);
  });

  test('a file where a stack folder goes is refused and left as it was', () => {
    const out = tempDir();
    fs.writeFileSync(path.join(out, 'fop-gate'), 'mine');
    assert.throws(() => writeRenderedStages(out, [rendered]), /fop-gate: is a file, not a directory \(fix: move .*fop-gate away/);
    assert.deepEqual(snapshotDir(out), { 'fop-gate': 'mine' });
  });
});

describe('writeOutputFile', () => {
  test('refuses a directory that does not exist, and does not create it', () => {
    const file = path.join(tempDir(), 'gitops', 'rollout.yaml');
    assert.throws(
      () => writeOutputFile(file, 'kind: Rollout\n'),
      /cannot be written: the directory .*gitops does not exist \(fix: create it first/,
    );
    assert.equal(fs.existsSync(path.dirname(file)), false);
  });

  test('replaces an existing file, keeping its permission bits and leaving no temporary file', () => {
    const dir = tempDir();
    const file = path.join(dir, 'rollout.yaml');
    fs.writeFileSync(file, 'old\n', { mode: 0o640 });
    fs.chmodSync(file, 0o640);
    writeOutputFile(file, 'kind: Rollout\n');
    assert.equal(fs.readFileSync(file, 'utf8'), 'kind: Rollout\n');
    assert.equal(fs.statSync(file).mode & 0o777, 0o640);
    assert.deepEqual(fs.readdirSync(dir), ['rollout.yaml']);
  });
});

/** A project directory anyone can read, holding a copy of stacks/ and a read-only `ro/`. */
function sharedProject(): string {
  const dir = tempDir();
  fs.chmodSync(dir, 0o755);
  fs.cpSync(path.join(ROOT, 'stacks'), path.join(dir, 'stacks'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'ro'), { mode: 0o555 });
  fs.chmodSync(path.join(dir, 'ro'), 0o555);
  return dir;
}

describe('output paths a user cannot write', { skip: cannotRunUnprivileged }, () => {
  test('render --out into a read-only directory exits 1 saying permission denied, and writes nothing', () => {
    const dir = sharedProject();
    for (const args of [[], ['--all-stages']]) {
      for (const out of ['ro', 'ro/sub']) {
        const result = runUnprivileged(process.execPath, [CLI_PATH, 'render', 'fop-gate', ...args, '--out', out], dir);
        assert.equal(result.code, 1, result.stderr);
        assert.equal(
          result.stderr,
          `stepwise: ${out}: cannot be written: permission denied (fix: check the permissions of ro, or pass --out another directory)\n`,
        );
      }
    }
    assert.deepEqual(fs.readdirSync(path.join(dir, 'ro')), []);
  });

  test('export --out into a read-only directory exits 1 saying permission denied', () => {
    const dir = sharedProject();
    const result = runUnprivileged(
      process.execPath,
      [CLI_PATH, 'export', 'fop-gate', '--to', 'argo-rollouts', '--out', 'ro/rollout.yaml'],
      dir,
    );
    assert.equal(result.code, 1, result.stderr);
    assert.equal(
      result.stderr,
      'stepwise: ro/rollout.yaml: cannot be written: permission denied on ro (fix: check the permissions of ro, or pass --out another file)\n',
    );
    assert.deepEqual(fs.readdirSync(path.join(dir, 'ro')), []);
  });

  test('npm run synth leaves every stack folder as it was when one of them cannot be replaced', () => {
    const dir = sharedProject();
    // A sticky directory: the user may add folders, but not move the one root owns.
    const out = path.join(dir, 'out');
    fs.mkdirSync(out);
    fs.chmodSync(out, 0o1777);
    const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
    const synth = path.join(ROOT, 'lib', 'synth', 'main.ts');
    assert.equal(runUnprivileged(tsx, [synth, 'fop-gate', '--out', 'out'], dir).code, 0);
    const before = snapshotDir(path.join(out, 'fop-gate'));
    fs.mkdirSync(path.join(out, 'web-nginx'));
    fs.writeFileSync(path.join(out, 'web-nginx', 'Service.old.k8s.yaml'), 'root owns this');
    // fop-gate stage baseline → canary, so a replaced fop-gate/ would differ.
    const stackFile = path.join(dir, 'stacks', 'Pulumi.fop-gate.yaml');
    fs.writeFileSync(stackFile, fs.readFileSync(stackFile, 'utf8').replace('stepwise:stage: baseline', 'stepwise:stage: canary'));

    const result = runUnprivileged(tsx, [synth, 'fop-gate', 'web-nginx', '--out', 'out'], dir);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /^stepwise synth: out: cannot be written: permission denied on out\/web-nginx \(fix: /m);
    assert.doesNotMatch(result.stderr, /internal error|^\s+at /m);
    assert.deepEqual(snapshotDir(path.join(out, 'fop-gate')), before);
    assert.deepEqual(snapshotDir(path.join(out, 'web-nginx')), { 'Service.old.k8s.yaml': 'root owns this' });
    assert.deepEqual(fs.readdirSync(out).sort(), ['fop-gate', 'web-nginx'], 'no staging or previous folders are left');
  });
});
