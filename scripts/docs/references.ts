/**
 * The generated pages that need no TypeDoc run, by their path in the repository: the CLI
 * reference, the check rules, and the picture of the fop-gate plan the README shows (what
 * `stepwise plan fop-gate --format svg` prints). Rendered in process, so a unit test can compare
 * them with the committed copies.
 */
import * as path from 'node:path';
import { cliMain } from '../../lib/cli/main';
import { checkRulesReference } from './check-rules-reference';
import { cliReference } from './cli-reference';

/** The repository root. */
export const ROOT = path.resolve(__dirname, '..', '..');

/** Where the README's picture of a plan lives, and the stack it shows. */
export const PLAN_PICTURE = { file: 'docs/images/fop-gate-plan.svg', stack: 'fop-gate' } as const;

/** Each generated file's text, by its path relative to the repository root. */
export async function quickReferences(): Promise<Map<string, string>> {
  return new Map([
    ['docs/reference/cli.md', await cliReference()],
    ['docs/reference/check-rules.md', checkRulesReference()],
    [PLAN_PICTURE.file, await planPicture()],
  ]);
}

async function planPicture(): Promise<string> {
  let svg = '';
  let errors = '';
  const stacks = path.join(ROOT, 'stacks');
  const code = await cliMain(['plan', PLAN_PICTURE.stack, '--format', 'svg', '--stacks', stacks], {
    out: (text) => (svg += text),
    err: (text) => (errors += text),
    cwd: ROOT,
  });
  if (code !== 0) throw new Error(`stepwise plan ${PLAN_PICTURE.stack} --format svg failed (exit ${code}): ${errors}`);
  return svg;
}
