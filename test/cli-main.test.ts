/** `stepwise` itself, before any command: its usage text, where it goes and the exit code. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { COMMANDS } from '../lib/cli/registry';
import { assertExit, stacksProject } from './support/cli';

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
