/**
 * Stack files are composed without the `yaml` package's duplicate-key check, which is quadratic in
 * a mapping's size, and checked by `composeDocuments` instead (lib/stacks/yaml-problems.ts).
 * These tests hold it to the package's own check: the same first error, at the same place, on a
 * table of keys that are and are not the same, and on random documents.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parseDocument, Parser, type YAMLParseError } from 'yaml';
import { composeDocuments } from '../lib/stacks/yaml-problems';

/** The first error of `text` as `yaml` reports it with its own check, and as stepwise does. */
function firstErrors(text: string, merge = false) {
  const first = (document: { readonly errors: readonly YAMLParseError[] }) => {
    const error = document.errors[0];
    return error ? { code: error.code, at: error.pos[0], message: error.message.split('\n')[0] } : undefined;
  };
  const own = parseDocument(text, { uniqueKeys: true, merge, prettyErrors: false });
  const [ours] = composeDocuments(new Parser().parse(text), { merge }, true, text.length);
  return { own: first(own), ours: first(ours) };
}

function agrees(text: string, merge = false): void {
  const { own, ours } = firstErrors(text, merge);
  assert.deepEqual(ours, own, JSON.stringify(text));
}

describe('the duplicate-key check of stack files', () => {
  test('finds what the yaml package finds, at the repeat, and nothing else', () => {
    const cases = [
      'a: 1\na: 2\n',
      'a: 1\nb: 2\n',
      'a:\n  x: 1\n  y: 2\n  x: 3\nb: 1\nb: 2\n',
      'a: 1\n"a": 2\n',
      "a: 1\n'a': 2\n",
      '1: x\n0x1: y\n',
      '1: x\n"1": y\n',
      'true: x\nTrue: y\n',
      '~: x\nnull: y\n',
      ': x\n~: y\n',
      '.nan: x\n.nan: y\n',
      '1.0: x\n1: y\n',
      '{a: 1, b: 2, a: 3}\n',
      '[a: 1, a: 2]\n',
      'x: &k a\n*k : 1\nb: {a: 1}\n',
      '? [a]\n: 1\n? [a]\n: 2\n',
      '!!str a: 1\n!!str a: 2\n',
      '&x a: 1\na: 2\n',
      'list:\n  - a: 1\n    a: 2\n  - a: 1\n',
      'a: 1\nb: [\na: 2\n',
      'a: 1\n  b: 2\na: 3\n',
      'a: 1\na: 2\n---\nb: 1\n',
      'config:\n  stepwise:stage: x\n  stepwise:stage: y\n',
    ];
    for (const text of cases) agrees(text);
    // Both orders of a duplicate and another error: the one earlier in the text comes first.
    agrees('a: 1\na: 2\nb: "x\n');
    agrees('b: [1, 2\na: 1\na: 2\n');
    // Merge keys, as stack files are read (`merge: true`): `<<` twice is a repeat too.
    agrees('base: &b {x: 1}\nm:\n  <<: *b\n  <<: *b\n', true);
    agrees('base: &b {x: 1}\nm:\n  <<: *b\n  x: 2\n', true);
  });

  test('on random documents with repeated keys, finds what the yaml package finds', () => {
    const key = fc.constantFrom('a', 'b', '"a"', '1', '0x1', '01', 'true', 'True', '~', 'null', '.nan', '1.0', '!!str a', '"1"');
    const mapping: fc.Arbitrary<string> = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        fc.constantFrom('1', 'x', '[1, 2]', '{}'),
        fc
          .array(fc.tuple(key, tie('node')), { minLength: 1, maxLength: 5 })
          .map((pairs) => `{${pairs.map(([k, v]) => `${k}: ${v}`).join(', ')}}`),
      ),
    })).node;
    // Block mappings nest by indentation; their values are plain, flow, or block mappings again.
    const block = (indent: string, depth: number): fc.Arbitrary<string> =>
      fc
        .array(
          fc.tuple(
            key,
            depth > 0
              ? fc.oneof(
                  mapping,
                  block(`${indent}  `, depth - 1).map((b) => `\n${b}`),
                )
              : mapping,
          ),
          {
            minLength: 1,
            maxLength: 6,
          },
        )
        .map((pairs) => pairs.map(([k, v]) => `${indent}${k}:${v.startsWith('\n') ? v : ` ${v}\n`}`).join(''));
    const document = block('', 2);
    fc.assert(
      fc.property(document, (text) => agrees(text)),
      { seed: 20261201, numRuns: 400 },
    );
  });
});
