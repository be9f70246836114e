/**
 * `npm run docs`: renders the generated docs — the CLI reference, the check rules, the picture of
 * the fop-gate plan (scripts/docs/references.ts) and, with TypeDoc and typedoc-plugin-markdown
 * (configured in typedoc.json), the TypeScript API into docs/reference/api/. `npm run docs:check`
 * renders them without writing and fails, showing the difference, when a committed copy is not
 * what the code gives (CI runs it; test/docs-references.test.ts checks all but the API quickly).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { PLAN_PICTURE, quickReferences, ROOT } from './references';

const REFERENCE = path.join(ROOT, 'docs', 'reference');

/** Every generated file, by its path relative to the repository root, with its text. */
async function render(): Promise<Map<string, string>> {
  const out = await quickReferences();
  const apiDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-api-'));
  try {
    const typedoc = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typedoc', 'bin', 'typedoc'), '--out', apiDir], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    if (typedoc.status !== 0) throw new Error(`typedoc failed:\n${typedoc.stdout}${typedoc.stderr}`);
    for (const file of filesUnder(apiDir))
      out.set(path.join('docs', 'reference', 'api', file), fs.readFileSync(path.join(apiDir, file), 'utf8'));
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

/** What the generated files replace: everything under docs/reference/, and the picture. */
function committedFiles(): Set<string> {
  const files = filesUnder(REFERENCE).map((f) => path.join('docs', 'reference', f));
  if (fs.existsSync(path.join(ROOT, PLAN_PICTURE.file))) files.push(PLAN_PICTURE.file);
  return new Set(files);
}

async function main(check: boolean): Promise<number> {
  const rendered = await render();
  if (!check) {
    fs.rmSync(REFERENCE, { recursive: true, force: true });
    for (const [file, text] of rendered) {
      fs.mkdirSync(path.dirname(path.join(ROOT, file)), { recursive: true });
      fs.writeFileSync(path.join(ROOT, file), text);
    }
    console.log(`npm run docs: ${rendered.size} files in docs/reference/ and ${PLAN_PICTURE.file}`);
    return 0;
  }
  const committed = committedFiles();
  const problems: string[] = [];
  for (const [file, text] of rendered) {
    if (!committed.has(file)) problems.push(`${file}: missing`);
    else {
      const old = fs.readFileSync(path.join(ROOT, file), 'utf8');
      if (old !== text) problems.push(createTwoFilesPatch(`a/${file}`, `b/${file}`, old, text));
    }
    committed.delete(file);
  }
  for (const file of committed) problems.push(`${file}: not generated any more`);
  if (problems.length === 0) {
    console.log(`the generated docs are up to date (${rendered.size} files)`);
    return 0;
  }
  console.error(`the generated docs differ from what the code gives; run \`npm run docs\` and commit:\n${problems.join('\n')}`);
  return 1;
}

main(process.argv.includes('--check')).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  },
);
