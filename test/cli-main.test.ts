/** `stepwise` itself, before any command: its usage text, where it goes and the exit code. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { stringify } from 'yaml';
import { syntheticStackConfig } from '../bench/synthetic-stack';
import { CLOSED_PIPE_EXIT_CODE } from '../lib/command-line/run-main';
import { COMMANDS } from '../lib/cli/registry';
import { assertExit, CLI_PATH, stacksProject } from './support/cli';
import { ROOT } from './support/example-stacks';

describe('stepwise without a command', () => {
  test('with no arguments it prints the usage on stderr, nothing on stdout, and exits 2', async () => {
    const result = await stacksProject().run();
    assertExit(result, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^usage: stepwise <command> <stack> \[options\]\n/);
    assert.match(result.stderr, /^ {2}promote {3}move the stack to its next stage/m);
  });

  for (const flag of ['--help', '-h', 'help']) {
    test(`${flag} prints the usage on stdout and exits 0`, async () => {
      const result = await stacksProject().run(flag);
      assertExit(result, 0);
      assert.equal(result.stderr, '');
      assert.match(result.stdout, /^usage: stepwise <command> <stack> \[options\]\n/);
      assert.match(result.stdout, /Run 'stepwise <command> --help' for a command's options/);
    });
  }

  test('an unknown command is a usage error naming the closest command, on stderr, exit 2', async () => {
    const result = await stacksProject().run('promot', 'fop-gate');
    assertExit(result, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^stepwise: unknown command 'promot' \(did you mean 'promote'\?\)/);
  });
});

describe('the command registry', () => {
  test('each command module carries only its usage and run: --help reads names and summaries from the registry alone', async () => {
    for (const [name, entry] of Object.entries(COMMANDS)) {
      const command = await entry.load();
      assert.deepEqual(Object.keys(command).sort(), ['run', 'usage'], name);
      assert.ok(entry.summary.length > 0, name);
    }
  });
});

describe('the stepwise process', () => {
  test('ends quietly when the reader of its output goes away (`stepwise plan | head`), as git log | head does', async () => {
    // A plan far longer than a pipe's buffer (64 KiB), whose reader closes after the first chunk.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-closed-pipe-'));
    try {
      fs.writeFileSync(path.join(dir, 'Pulumi.big.yaml'), stringify({ config: syntheticStackConfig('canary-pairs', 400) }));
      const child = spawn(process.execPath, [CLI_PATH, 'plan', 'big', '--format', 'json', '--stacks', dir], { cwd: ROOT });
      let stderr = '';
      let read = 0;
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.stdout.once('data', (chunk: Buffer) => {
        read = chunk.length;
        child.stdout.destroy();
      });
      const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      assert.ok(read > 0 && read < 256 * 1024, `read ${read} bytes`);
      assert.equal(stderr, '');
      assert.equal(code, CLOSED_PIPE_EXIT_CODE);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
