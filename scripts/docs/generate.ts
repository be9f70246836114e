/**
 * `npm run docs`: renders the generated references into docs/reference/ — the CLI reference, the
 * check rules and (with TypeDoc and typedoc-plugin-markdown, configured in typedoc.json) the
 * TypeScript API. `npm run docs:check` renders them into a temporary folder instead and fails,
 * showing the difference, when the committed copy is not what the code gives.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { checkRulesReference } from './check-rules-reference';
import { cliReference } from './cli-reference';

const ROOT = path.resolve(__dirname, '..', '..');
const REFERENCE = path.join(ROOT, 'docs', 'reference');

/** Every generated file under docs/reference/, relative to it, with its text. */
async function render(): Promise<Map<string, string>> {
  const out = new Map<string, string>([
    ['cli.md', await cliReference()],
    ['check-rules.md', checkRulesReference()],
  ]);
  const apiDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-api-'));
  try {
    const typedoc = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typedoc', 'bin', 'typedoc'), '--out', apiDir], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    if (typedoc.status !== 0) throw new Error(`typedoc failed:\n${typedoc.stdout}${typedoc.stderr}`);
    for (const file of filesUnder(apiDir)) out.set(path.join('api', file), fs.readFileSync(path.join(apiDir, file), 'utf8'));
  } finally {
    fs.rmSync(apiDir, { recursive: true, force: true });
  }
  return out;
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }) as string[])
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .sort();
}

async function main(check: boolean): Promise<number> {
  const rendered = await render();
  if (!check) {
    fs.rmSync(path.join(REFERENCE, 'api'), { recursive: true, force: true });
    for (const [file, text] of rendered) {
      fs.mkdirSync(path.dirname(path.join(REFERENCE, file)), { recursive: true });
      fs.writeFileSync(path.join(REFERENCE, file), text);
    }
    console.log(`docs/reference/: ${rendered.size} files`);
    return 0;
  }
  const committed = new Set(filesUnder(REFERENCE));
  const problems: string[] = [];
  for (const [file, text] of rendered) {
    const target = path.join('docs', 'reference', file);
    if (!committed.has(file)) problems.push(`${target}: missing`);
    else {
      const old = fs.readFileSync(path.join(REFERENCE, file), 'utf8');
      if (old !== text) problems.push(createTwoFilesPatch(`a/${target}`, `b/${target}`, old, text));
    }
    committed.delete(file);
  }
  for (const file of committed) problems.push(`docs/reference/${file}: not generated any more`);
  if (problems.length === 0) {
    console.log(`docs/reference/ is up to date (${rendered.size} files)`);
    return 0;
  }
  console.error(`docs/reference/ differs from what the code gives; run \`npm run docs\` and commit:\n${problems.join('\n')}`);
  return 1;
}

main(process.argv.includes('--check')).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  },
);
