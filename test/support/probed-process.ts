/**
 * Runs Node with a probe preloaded (`--import`): a test/support/*-probe.mjs that writes what it saw
 * as JSON, when the process exits, to the file named by an environment variable.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { tempDir } from './example-stacks';

/** What a probed process did: its exit code, and what its probe wrote. */
export interface ProbedRun<T> {
  readonly code: number;
  readonly seen: T;
}

/**
 * Runs `node FLAGS --import PROBE ARGS` (ARGS: a script and its arguments) with `outVariable` set
 * to a fresh file, and resolves once it exits.
 */
export async function runProbed<T>(
  probe: string,
  outVariable: string,
  args: readonly string[],
  flags: readonly string[] = [],
): Promise<ProbedRun<T>> {
  const out = path.join(tempDir(), 'probe.json');
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, [...flags, '--import', pathToFileURL(probe).href, ...args], {
      env: { ...process.env, [outVariable]: out },
      stdio: 'ignore',
    });
    child.on('error', reject);
    child.on('close', (exit) => resolve(exit ?? 1));
  });
  return { code, seen: JSON.parse(fs.readFileSync(out, 'utf8')) as T };
}
