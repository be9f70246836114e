/**
 * The generated docs that need no TypeDoc run are what the code gives today: the CLI reference
 * (from the commands' usage text), the check rules (from CHECK_RULES) and the picture of the
 * fop-gate plan. The TypeDoc API reference is checked by `npm run docs:check` in .ci/run.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { CHECK_RULES } from '../lib/model/check-rules';
import { quickReferences, ROOT } from '../scripts/docs/references';

describe('generated docs', async () => {
  const rendered = await quickReferences();
  for (const [file, text] of rendered) {
    test(`${file} is what \`npm run docs\` generates now (run it and commit when this fails)`, () => {
      assert.equal(fs.readFileSync(path.join(ROOT, file), 'utf8'), text);
    });
  }

  test('the check-rule reference names every rule in the code, and `stepwise check --help` every rule check runs', async () => {
    const page = rendered.get('docs/reference/check-rules.md') ?? '';
    const cli = rendered.get('docs/reference/cli.md') ?? '';
    for (const [id, rule] of Object.entries(CHECK_RULES)) {
      assert.match(page, new RegExp(`\\| \`${id}\` \\| ${rule.severity} \\|`), id);
      assert.ok(cli.includes(id), `${id} is missing from stepwise check --help`);
    }
  });
});
