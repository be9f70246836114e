/**
 * Every command README.md, CONTRIBUTING.md and docs/ tell a reader to run against the example
 * stacks runs, offline, and prints what the page shows. A ```sh or ```console block is run line by
 * line, top to bottom, one workspace (a copy of stacks/) per page, so a page's `promote` is seen by
 * its next `diff`. In a console block, `$ ` starts a command and the lines after it are its output:
 * compared exactly, or line by line in order where the page writes `…` for lines it leaves out. The
 * exit code must be 0 unless the page shows it with `$ echo $?`. A block that needs a cluster, the
 * network or a Prometheus says so in a `<!-- not run: why -->` comment right before it; any other
 * command this runner does not know fails the test, so nothing is skipped silently. Commands run
 * in process (`stepwise`), or as one spawned process (`npm run synth`, `git`).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { cliMain } from '../lib/cli/main';
import { errorLines, UsageError } from '../lib/command-line/run-main';
import { copyOfStacks, ROOT } from './support/example-stacks';
import { codeBlocksOf, markdownFiles, type CodeBlock } from './support/markdown';

/** What a command left: its exit code and what a terminal shows (stdout, then stderr). */
interface Ran {
  readonly code: number;
  readonly output: string;
}

const startDir = process.cwd();
after(() => process.chdir(startDir));

async function runStepwise(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const context = { out: (t: string) => (stdout += t), err: (t: string) => (stderr += t), cwd };
  // The commands resolve --stacks against the process's directory, as the real binary does.
  process.chdir(cwd);
  try {
    const code = await cliMain(args, context);
    return { code, stdout, stderr };
  } catch (error) {
    for (const line of errorLines(error)) stderr += `stepwise: ${line}\n`;
    return { code: error instanceof UsageError ? 2 : 1, stdout, stderr };
  } finally {
    process.chdir(startDir);
  }
}

/** Splits a shell line into words: single and double quotes group, nothing else is interpreted. */
function words(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

async function runLine(line: string, cwd: string, lastCode: number): Promise<Ran> {
  if (line === 'echo $?') return { code: 0, output: `${lastCode}\n` };
  const piped = /^(.*?)\s*\|\s*head -(\d+)$/.exec(line);
  const redirected = /^(.*?)\s*>\s*(\S+)$/.exec(piped ? piped[1] : line);
  const command = redirected ? redirected[1] : piped ? piped[1] : line;
  const argv = words(command);
  const [first, ...rest] = argv;
  let result: { code: number; stdout: string; stderr: string };
  if (first === 'stepwise' || (first === 'npx' && rest[0] === 'stepwise') || (first === 'node' && rest[0] === 'dist-js/bin/stepwise.js')) {
    result = await runStepwise(first === 'stepwise' ? rest : rest.slice(1), cwd);
  } else if (first === 'npm' && rest[0] === 'run' && rest[1] === 'synth') {
    const args = rest[2] === '--' ? rest.slice(3) : rest.slice(2);
    const tsx = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    const child = spawnSync(process.execPath, [tsx, path.join(ROOT, 'lib', 'synth', 'main.ts'), ...args], { cwd, encoding: 'utf8' });
    result = { code: child.status ?? 1, stdout: child.stdout, stderr: child.stderr };
  } else if (first === 'git' || (first === 'sed' && rest[0] === '-i')) {
    const child = spawnSync(first, rest, { cwd, encoding: 'utf8' });
    result = { code: child.status ?? 1, stdout: child.stdout, stderr: child.stderr };
  } else if (first === 'mkdir' && rest[0] === '-p') {
    for (const dir of rest.slice(1)) fs.mkdirSync(path.join(cwd, dir), { recursive: true });
    result = { code: 0, stdout: '', stderr: '' };
  } else if (first === 'cp' && rest.length === 2) {
    fs.cpSync(path.join(cwd, rest[0]), path.join(cwd, rest[1]));
    result = { code: 0, stdout: '', stderr: '' };
  } else {
    throw new Error(
      `not a command this test can run: '${line}'. Mark its block with <!-- not run: why --> if it needs a cluster or the network.`,
    );
  }
  let stdout = result.stdout;
  if (piped) stdout = stdout.split('\n').slice(0, Number(piped[2])).join('\n') + '\n';
  if (redirected) {
    fs.writeFileSync(path.join(cwd, redirected[2]), stdout);
    stdout = '';
  }
  return { code: result.code, output: stdout + result.stderr };
}

/** The commands of a block, each with the output the page shows after it (console blocks only). */
function commandsOf(block: CodeBlock): { line: string; shown: string[] }[] {
  if (block.language === 'sh') {
    return block.lines
      .map((l) => l.replace(/\s+#\s.*$/, '').trim())
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map((line) => ({ line, shown: [] }));
  }
  const commands: { line: string; shown: string[] }[] = [];
  for (const l of block.lines) {
    if (l.startsWith('$ ')) commands.push({ line: l.slice(2).trim(), shown: [] });
    else if (commands.length > 0) commands[commands.length - 1].shown.push(l);
  }
  return commands;
}

function trimmed(lines: readonly string[]): string[] {
  const out = lines.map((l) => l.trimEnd());
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}

/** The page's output matches: exactly, or — where it shows `…` — its lines appear in this order. */
function assertShown(shown: readonly string[], actual: string, where: string): void {
  const expected = trimmed(shown);
  if (expected.length === 0) return;
  const got = trimmed(actual.split('\n'));
  if (!expected.some((l) => l.trim() === '…')) {
    assert.equal(got.join('\n'), expected.join('\n'), `${where}: the output differs from the page`);
    return;
  }
  let at = 0;
  for (const want of expected.filter((l) => l.trim() !== '…')) {
    const found = got.indexOf(want, at);
    assert.ok(
      found >= 0,
      `${where}: the page shows the line\n  ${want}\nwhich the output does not have (in this order):\n${got.join('\n')}`,
    );
    at = found + 1;
  }
}

describe('commands in the docs', () => {
  for (const page of markdownFiles()) {
    const blocks = codeBlocksOf(fs.readFileSync(path.join(ROOT, page), 'utf8'));
    const runnable = blocks.filter((b) => (b.language === 'sh' || b.language === 'console') && b.notRun === undefined);
    const unlabelled = blocks.filter((b) => b.language !== 'console' && b.language !== 'sh' && b.lines.some((l) => /^\$ /.test(l)));
    test(`${page}: a block that shows a shell prompt is a console block`, () => {
      assert.deepEqual(
        unlabelled.map((b) => `${page}:${b.line}`),
        [],
      );
    });
    if (runnable.length === 0) continue;
    test(`${page}: every command it tells a reader to run works as shown`, async () => {
      const workspace = path.dirname(copyOfStacks());
      let lastCode = 0;
      for (const block of runnable) {
        const commands = commandsOf(block);
        for (const [i, { line, shown }] of commands.entries()) {
          const where = `${page}:${block.line}: $ ${line}`;
          const ran = await runLine(line, workspace, lastCode);
          assertShown(shown, ran.output, where);
          if (line === 'echo $?') continue;
          lastCode = ran.code;
          // A nonzero exit is right only when the page shows it next.
          if (commands[i + 1]?.line !== 'echo $?') assert.equal(ran.code, 0, `${where}: exit code ${ran.code}\n${ran.output}`);
        }
      }
      fs.rmSync(workspace, { recursive: true, force: true });
    });
  }
});
