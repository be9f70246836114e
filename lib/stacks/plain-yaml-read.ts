/**
 * The fast reading of a stack file: js-yaml, with a schema that resolves plain values exactly as
 * the `yaml` package's YAML 1.2 core schema does, reads a big stack file about ten times faster
 * than the `yaml` package's document (whose tokenizer is most of a 1,000-workload `plan`).
 *
 * It only ever answers for the common file: anything the two readers might treat differently, and
 * anything `parseStackYaml` would refuse or explain with a line number — anchors and aliases, merge
 * keys, tags, directives, tabs, a control character, a value `pulumi up` reads otherwise (see
 * ambiguous-scalars.ts), a duplicated key, a second document, a syntax error — makes it answer
 * `undefined`, and the caller reads the file with the `yaml` package as before. So every error
 * still comes from one reader, with its line and key path; test/stack-yaml-readers.test.ts holds
 * the two readers to the same values.
 */
import { FAILSAFE_SCHEMA, Type, load } from 'js-yaml';
import { pulumiReading } from './pulumi-readings';
import { firstControlCharacter } from './control-characters';

/** A plain value's reading under one of the `yaml` package's core-schema tests. */
type CoreReading = readonly [test: RegExp, read: (source: string) => unknown];

/**
 * One implicit type of the `yaml` package's core schema: its tag, the characters its values can
 * start with, and its tests with how each reads the text, tried in order. One js-yaml type per tag
 * (js-yaml keeps only the last type of a tag). js-yaml asks every type about every plain key and
 * value, most of which are names: the first character turns those away without a test.
 */
function coreType(tag: string, startsWith: string, readings: readonly CoreReading[]): Type {
  const reading = (source: string | null) => {
    const text = source ?? '';
    // `includes('')` is true: an empty value goes on to the tests (it is null).
    return startsWith.includes(text.charAt(0)) ? readings.find(([test]) => test.test(text)) : undefined;
  };
  return new Type(tag, {
    kind: 'scalar',
    resolve: (source: string | null) => reading(source) !== undefined,
    construct: (source: string | null) => (reading(source) as CoreReading)[1](source ?? ''),
  });
}

// The core schema's implicit types, in the `yaml` package's order (yaml/dist/schema/core, common).
const CORE_TYPES = [
  coreType('tag:yaml.org,2002:null', '~nN', [[/^(?:~|[Nn]ull|NULL)?$/, () => null]]),
  coreType('tag:yaml.org,2002:bool', 'tTfF', [[/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, (s) => s[0] === 't' || s[0] === 'T']]),
  coreType('tag:yaml.org,2002:int', '0123456789+-', [
    [/^0o[0-7]+$/, (s) => parseInt(s.substring(2), 8)],
    [/^[-+]?[0-9]+$/, (s) => parseInt(s, 10)],
    [/^0x[0-9a-fA-F]+$/, (s) => parseInt(s.substring(2), 16)],
  ]),
  coreType('tag:yaml.org,2002:float', '0123456789+-.', [
    [
      /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
      (s) => (s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY),
    ],
    [/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/, (s) => parseFloat(s)],
    [/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/, (s) => parseFloat(s)],
  ]),
];

/** Raised while reading a value `pulumi up` reads otherwise: the `yaml` reader reports it. */
class AmbiguousValue extends Error {}

// Checked first, for every plain value (keys too): one the readers disagree on stops the fast read.
const AMBIGUOUS = new Type('tag:stepwise,2026:ambiguous', {
  kind: 'scalar',
  resolve: (source: string | null) => source !== null && pulumiReading(source) !== undefined,
  construct: () => {
    throw new AmbiguousValue();
  },
});

const CORE_SCHEMA_AS_YAML_READS_IT = FAILSAFE_SCHEMA.extend({ implicit: [AMBIGUOUS, ...CORE_TYPES] });

/**
 * What the fast reader leaves to the `yaml` package: an anchor or alias (`&a`, `*a`; not `&&`), a
 * merge key (`<<:`), a tag (`!!str`, `!Ref`), a directive (`%YAML`), a tab, `__proto__`, a null or
 * empty key (the `yaml` package reads it as `""`, js-yaml as `"null"`), and a sequence entry left
 * empty at the end of its line (js-yaml nests what follows `- -` into it). Matched loosely: text
 * that only looks like one (`x *y`) is read the slow way, never wrongly.
 *
 * Each is its own regular expression: one alternation of them all scanned a 1,000-workload file
 * about twice as slowly, trying every alternative at every space.
 */
const LEFT_TO_YAML: readonly RegExp[] = [
  /^%/m,
  /\t/,
  /__proto__/,
  // An empty key: a colon right after the start of a line, a space or a flow indicator.
  /(?:^|[\s[{,?]):(?:\s|$)/m,
  // A dash alone (or before spaces) at the end of a line, at its start or after a space.
  /-(?<=^-|\s-) *$/m,
];

/**
 * And these where they start a token: at the start of the file or of a line, or after a space or
 * one of the flow indicators given. Found by what they are, then checked for what precedes them
 * (rare in a stack file, so found fast), instead of trying them after every space.
 */
const LEFT_TO_YAML_AT_TOKEN_START: ReadonlyArray<readonly [token: RegExp, after: RegExp]> = [
  // An anchor or alias, a tag, a merge key.
  [/[&*][^\s&]|!|<<\s*:/g, /[\s[{,]/],
  // A null key (`~:`, `null:`).
  [/(?:~|[Nn]ull|NULL)\s*:(?:\s|$)/gm, /[\s[{,?]/],
];

/** Whether `text` holds anything the fast reader leaves to the `yaml` package (see above). */
export function leftToYaml(text: string): boolean {
  if (LEFT_TO_YAML.some((pattern) => pattern.test(text))) return true;
  for (const [token, after] of LEFT_TO_YAML_AT_TOKEN_START) {
    token.lastIndex = 0;
    for (let match = token.exec(text); match; match = token.exec(text)) {
      // Line breaks are spaces to `\s`, so a token at the start of a line passes too.
      if (match.index === 0 || after.test(text[match.index - 1])) return true;
      token.lastIndex = match.index + 1;
    }
  }
  return false;
}

/**
 * The plain value of a stack file's text as `parseStackYaml` gives it, read fast; `undefined` when
 * the text holds anything the fast reader leaves to the `yaml` package (see above), which then
 * reads it and reports any problem with its line.
 */
export function readPlainYaml(text: string): unknown {
  if (leftToYaml(text) || firstControlCharacter(text)) return undefined;
  try {
    const value = load(text, { schema: CORE_SCHEMA_AS_YAML_READS_IT });
    // An empty file: the `yaml` reader's answer (null) and its messages are the ones users see.
    return value === undefined ? undefined : value;
  } catch {
    return undefined;
  }
}
