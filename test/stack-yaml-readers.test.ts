/**
 * The two readers of a stack file agree: the fast one (js-yaml with the `yaml` package's core
 * schema, lib/stacks/plain-yaml-read.ts) either gives exactly the value the `yaml` package's
 * document gives, or leaves the file to it. The example stacks, and big generated ones, take the
 * fast road; everything a user could get a located error for takes the other.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { syntheticStackConfig } from '../bench/synthetic-stack';
import { leftToYaml, readPlainYaml } from '../lib/stacks/plain-yaml-read';
import { parseStackYaml, readYamlDocument } from '../lib/stacks/stack-file';

const ROOT = path.join(__dirname, '..');
const FILE = 'Pulumi.test.yaml';

/** The `yaml` package's reading, or the message it refuses the text with. */
function slow(text: string): unknown {
  try {
    return { value: readYamlDocument(text, FILE) };
  } catch (error) {
    return { refused: (error as Error).message };
  }
}

/** Holds the fast reader to the slow one on `text`; true when the fast one answered. */
function agrees(text: string): boolean {
  const fast = readPlainYaml(text);
  if (fast === undefined) return false;
  assert.deepStrictEqual({ value: fast }, slow(text), text);
  return true;
}

function stackFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^Pulumi\..+\.yaml$/.test(f))
    .map((f) => path.join(dir, f));
}

/** Random documents (a mapping at the top) whose leaves are drawn from `token`. */
function documents(token: fc.Arbitrary<string>): fc.Arbitrary<Record<string, unknown>> {
  const key = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);
  const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: 'small' }, token, fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(key, tie('node'), { maxKeys: 4 })),
  })).node;
  return fc.dictionary(key, value, { minKeys: 1, maxKeys: 5 });
}

describe('the fast stack-file reader', () => {
  test('reads every example and fixture stack, to exactly the value the yaml package gives', () => {
    for (const file of [...stackFiles(path.join(ROOT, 'stacks')), ...stackFiles(path.join(ROOT, 'test', 'fixtures', 'stacks'))]) {
      assert.ok(agrees(fs.readFileSync(file, 'utf8')), `${file} is read by the fast reader`);
    }
  });

  test('reads a generated 1,000-workload stack file, as the yaml package does', () => {
    for (const shape of ['canary-pairs', 'batches'] as const) {
      assert.ok(agrees(stringify({ config: syntheticStackConfig(shape, 1000) }, { lineWidth: 0 })), shape);
    }
  });

  test('with CRLF line endings and a byte order mark too', () => {
    const text = fs.readFileSync(path.join(ROOT, 'stacks', 'Pulumi.fop-gate.yaml'), 'utf8');
    assert.ok(agrees(text.replace(/\n/g, '\r\n')));
    assert.ok(agrees(`\uFEFF${text}`));
  });

  test('reads each plain value as the YAML 1.2 core schema does: booleans, nulls, numbers, and the rest as text', () => {
    const values = [
      'true',
      'True',
      'TRUE',
      'false',
      'False',
      'FALSE',
      'yes',
      'no',
      'on',
      'off',
      'y',
      'n',
      'Yes',
      'NO',
      'null',
      'Null',
      'NULL',
      '~',
      'nil',
      'None',
      '0',
      '1',
      '-1',
      '+1',
      '-0',
      '+0',
      '42',
      '9007199254740993',
      '123456789012345678901234567890',
      '0o17',
      '0o8',
      '0x1F',
      '0x1f',
      '0X1F',
      '0xG',
      '0o',
      '0x',
      '1.10',
      '1.0',
      '1.',
      '.5',
      '-.5',
      '+.5',
      '1e3',
      '1E3',
      '1.5e-3',
      '-2.5E+10',
      '1e',
      'e3',
      '.e3',
      '.inf',
      '-.inf',
      '+.inf',
      '.Inf',
      '.INF',
      'inf',
      '.nan',
      '.NaN',
      '.NAN',
      'NaN',
      'nan',
      '12:30',
      '1:30:00',
      'v1.2.3',
      '1.2.3',
      '10%',
      '25%',
      '500m',
      '1.5Gi',
      '512M',
      '1e9',
      'nginx:1.16.1',
      'a b',
      'é',
      '- x',
      '"',
      "'a'",
      '0.0.0.0',
      '+',
      '-',
      '.',
      '..',
      '...',
    ];
    let fast = 0;
    for (const v of values) {
      for (const text of [`value: ${v}\n`, `${v}: key\n`, `list: [${v}, x]\n`, `map: { k: ${v} }\n`]) {
        if (agrees(text)) fast++;
      }
    }
    assert.ok(fast > values.length * 2, `most of them are read fast (${fast})`);
  });

  test('quoted and block values are text, whatever they look like', () => {
    for (const text of [
      `a: '010'\nb: "0b11"\nc: '2026-11-30'\nd: "true"\ne: 'null'\nf: "1.10"\n`,
      `a: |\n  line 1\n  010\n\nb: >\n  folded\n  text\n\n\nc: |-\n  kept\nd: |+\n  kept\n\n`,
      `a: "tab\\tand \\u00e9 and \\"quotes\\""\nb: 'it''s'\n`,
      `a:\n  - 1\n  - { }\n  - [ ]\n  - ''\nb:\nc: ~\n`,
      `# comment\na: 1 # trailing\n# another\nb: [1, 2, # inside\n  3]\n`,
    ]) {
      assert.ok(agrees(text), text);
    }
  });

  test('leaves to the yaml package what only it explains, so each problem keeps its line and key path', () => {
    for (const text of [
      'a: &x 1\nb: *x\n', // anchors and aliases
      'base: &b { x: 1 }\nc:\n  <<: *b\n', // merge keys
      'a: !!str 1\n', // tags
      'a: !Ref x\n',
      '%YAML 1.2\n---\na: 1\n', // directives
      'a:\n\tb: 1\n', // tabs
      'a: 1\na: 2\n', // a duplicated key
      'a: 1\n---\nb: 2\n', // a second document
      'a: [1, 2\n', // a syntax error
      'a: 010\n', // values pulumi up reads otherwise
      'a: 0b11\n',
      'a: 1_000\n',
      'a: 2026-11-30\n',
      'a: 2026-11-30T10:00:00Z\n',
      '010: a\n',
      'a: "x\u0007"\n', // a control character
      '__proto__: { a: 1 }\n',
      '', // empty
      'a:\n  -\n  - 1\n', // an entry left empty
      '~: a\n', // a null key
    ]) {
      assert.equal(readPlainYaml(text), undefined, JSON.stringify(text));
    }
  });

  test('what the yaml package refuses is still refused, with its line', () => {
    assert.throws(() => parseStackYaml('config:\n  a: 1\n  a: 2\n', FILE), /written twice in the same mapping \(lines 2 and 3\)/);
    assert.throws(() => parseStackYaml('config:\n  port: 010\n', FILE), /is 010 unquoted \(line 2\)/);
  });

  test('on random documents of tricky plain values, the fast reader answers as the yaml package does or not at all', () => {
    const token = fc.constantFrom(
      'true',
      'no',
      'null',
      '~',
      '0',
      '-0',
      '+7',
      '010',
      '0o7',
      '0x1F',
      '0b1',
      '1_0',
      '_1',
      '1.10',
      '.5',
      '1e3',
      '.inf',
      '.nan',
      '2026-11-30',
      '12:30',
      'v2',
      'nginx:1.18.0',
      'a b',
      '25%',
      '*',
      '&',
      '!',
      '#',
      ':',
      '-',
      '[',
      '{',
      '"q"',
      "'s'",
      '|',
      '>',
    );
    const render = (v: unknown, indent: string): string => {
      if (typeof v === 'string') return ` ${v}`;
      if (Array.isArray(v)) return v.length === 0 ? ' []' : v.map((x) => `\n${indent}-${render(x, `${indent}  `)}`).join('');
      const entries = Object.entries(v as Record<string, unknown>);
      return entries.length === 0 ? ' {}' : entries.map(([k, x]) => `\n${indent}${k}:${render(x, `${indent}  `)}`).join('');
    };
    let fast = 0;
    fc.assert(
      fc.property(documents(token), (doc) => {
        const text = `${render(doc, '').slice(1)}\n`;
        if (agrees(text)) fast++;
      }),
      { seed: 20261130, numRuns: 400 },
    );
    assert.ok(fast >= 40, `a good part of them are read fast (${fast} of 400)`);
  });

  test('on random block and flow documents of plain values, the fast reader answers, as the yaml package does', () => {
    const token = fc.constantFrom(
      'true',
      'False',
      'no',
      'null',
      'Null',
      '0',
      '-0',
      '+7',
      '0o7',
      '0x1F',
      '1.10',
      '.5',
      '-1.5e3',
      '.inf',
      '-.Inf',
      '.nan',
      '12:30',
      'v2',
      'nginx:1.18.0',
      'a b',
      '25%',
      '500m',
      '1.5Gi',
      'x.y',
      'x_y',
      '"quoted: yes"',
      "'single'",
    );
    const flow = (v: unknown): string => {
      if (typeof v === 'string') return v;
      if (Array.isArray(v)) return `[${v.map(flow).join(', ')}]`;
      return `{ ${Object.entries(v as Record<string, unknown>)
        .map(([k, x]) => `${k}: ${flow(x)}`)
        .join(', ')} }`;
    };
    const block = (v: unknown, indent: string): string => {
      if (typeof v === 'string' || (Array.isArray(v) && v.length === 0)) return ` ${flow(v)}`;
      if (Array.isArray(v)) return v.map((x) => `\n${indent}-${block(x, `${indent}  `)}`).join('');
      const entries = Object.entries(v as Record<string, unknown>);
      return entries.length === 0 ? ' {}' : entries.map(([k, x]) => `\n${indent}${k}:${block(x, `${indent}  `)}`).join('');
    };
    let fast = 0;
    fc.assert(
      fc.property(documents(token), fc.boolean(), (doc, inFlow) => {
        const text = inFlow ? `${flow(doc)}\n` : `${block(doc, '').slice(1)}\n`;
        if (agrees(text)) fast++;
      }),
      { seed: 20261130, numRuns: 400 },
    );
    assert.ok(
      fast >= 200,
      `most of them are read fast (a list item that is a mapping starts on the next line here, which the fast reader leaves to the yaml package) (${fast} of 400)`,
    );
  });
});

describe('what the fast reader leaves to the yaml package', () => {
  /**
   * The rule as one regular expression, as it was first written: `leftToYaml` finds the same texts
   * with several faster ones. Each alternative: an anchor, alias, tag or merge key starting a token;
   * a directive; a tab; `__proto__`; an empty or null key; a dash alone at the end of a line.
   */
  const RULE = new RegExp(
    [
      /(?:^|[\s[{,])(?:[&*][^\s&]|!|<<\s*:)/.source,
      /^%/.source,
      /\t/.source,
      /__proto__/.source,
      /(?:^|[\s[{,?])(?:~|[Nn]ull|NULL)?\s*:(?:\s|$)/.source,
      /(?:^|\s)-[ ]*$/.source,
    ].join('|'),
    'm',
  );

  test('each thing it looks for, after each character it may follow', () => {
    const left = [
      'a: &x 1',
      'a: *x',
      'a: !tag 1',
      'a: !!str 1',
      '<<: *base',
      '[&x 1]',
      '{a: *x}',
      'a: [1,*x]',
      '&x a: 1',
      '%YAML 1.2\n---\na: 1',
      'a:\tb',
      'a: __proto__',
      ': 1',
      'a:\n  : 1',
      '[: 1]',
      '{: 1}',
      '? : 1',
      'a: {b: 1,: 2}',
      '~: 1',
      'null: 1',
      'Null : 1',
      'a:\n  NULL:',
      '? null: 1',
      '?null: 1',
      '{~: 1}',
      '[null: 1]',
      'a: {b: 1,NULL: 2}',
      'a:\n-',
      'a:\n- ',
      'a:\n  - -',
      'a: x\n- \nb: 1',
    ];
    const fast = [
      'a: b&x',
      'a: x&&y',
      'a: b!',
      'a: <b',
      'a: b%',
      'a:b',
      'a: x~: 1',
      'annull: 1',
      'a: b-',
      'a: -1',
      'a: null',
      'a: ~',
      '- a',
    ];
    for (const text of left) assert.equal(leftToYaml(text), true, JSON.stringify(text));
    for (const text of fast) assert.equal(leftToYaml(text), false, JSON.stringify(text));
    for (const text of [...left, ...fast]) assert.equal(RULE.test(text), leftToYaml(text), `the rule agrees on ${JSON.stringify(text)}`);
  });

  test('it finds exactly the texts the rule written as one regular expression finds', () => {
    // Texts made of the characters and words the rule looks at, and of ordinary ones around them.
    const piece = fc.constantFrom(
      ' ',
      '  ',
      '\n',
      '\r\n',
      '\u2028',
      '\t',
      ':',
      '-',
      '&',
      '&&',
      '*',
      '!',
      '<',
      '<<',
      '%',
      '~',
      '?',
      '[',
      '{',
      ',',
      ']',
      'null',
      'Null',
      'NULL',
      'nul',
      'a',
      'x-1',
      '_',
      '__proto__',
      '"',
    );
    let left = 0;
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 10 }), (pieces) => {
        const text = pieces.join('');
        assert.equal(leftToYaml(text), RULE.test(text), JSON.stringify(text));
        if (RULE.test(text)) left++;
      }),
      { seed: 20261201, numRuns: 5000 },
    );
    assert.ok(left > 500 && left < 4500, `both answers are common among the texts (${left} of 5000 left to the yaml package)`);
  });

  test('every example stack file and a 1,000-workload one are read fast, as the rule says', () => {
    const texts = stackFiles(path.join(ROOT, 'stacks')).map((file) => fs.readFileSync(file, 'utf8'));
    texts.push(stringify({ config: syntheticStackConfig('canary-pairs', 1000) }, { lineWidth: 0 }));
    for (const text of texts) assert.equal(leftToYaml(text), RULE.test(text));
    assert.ok(texts.every((text) => !leftToYaml(text)));
  });
});
