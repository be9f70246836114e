/**
 * Problems of a stack file's YAML text that the `yaml` package reports badly or not at all: a
 * control character (it accepts a raw NUL), collections nested so deep that composing them runs
 * out of stack (it reports `Maximum call stack size exceeded`), and a duplicated key (it says only
 * `Map keys must be unique`). Each is found here with the line and key path a user needs.
 */
import { Composer, YAMLParseError, isMap, isPair, isScalar, isSeq, visit, type CST, type Document, type LineCounter } from 'yaml';
import { joinKeyPath } from '../model/errors';
import type { TextPosition } from './control-characters';

/**
 * The deepest nesting of mappings and lists a stack file may have. A plan needs about ten levels
 * (config, plan, workloads, a workload, a probe, httpGet, …); the limit is far above that and far
 * below the depth at which the `yaml` package runs out of stack (several hundred).
 */
export const MAX_YAML_NESTING = 64;

/**
 * Where the parsed `tokens` (from `yaml`'s `Parser`, which is not recursive) first nest mappings
 * and lists more than {@link MAX_YAML_NESTING} deep, or undefined. Walks the token tree with an
 * explicit stack, so any depth is safe to measure; `lineCounter` is the one the parser fed.
 */
export function tooDeepNesting(tokens: readonly CST.Token[], lineCounter: LineCounter): TextPosition | undefined {
  const pending: { token: CST.Token | null | undefined; depth: number }[] = [];
  for (const token of tokens) {
    if (token.type === 'document') pending.push({ token: token.value, depth: 0 });
  }
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { token, depth } = next;
    if (!token || (token.type !== 'block-map' && token.type !== 'block-seq' && token.type !== 'flow-collection')) continue;
    if (depth >= MAX_YAML_NESTING) {
      const { line, col } = lineCounter.linePos(token.offset);
      return { line, column: col };
    }
    for (const item of token.items) {
      pending.push({ token: item.key, depth: depth + 1 }, { token: item.value, depth: depth + 1 });
    }
  }
  return undefined;
}

/**
 * The documents `tokens` hold, composed as the `yaml` package's `Composer` does with
 * `uniqueKeys: true`, the same first error included, but with a key written twice found in time
 * linear in its mapping's size ({@link addDuplicateKeyError}): the package's own check compares
 * each key with every earlier key of its mapping, which is quadratic in a plan's workloads (at
 * 4,000 it was most of `stepwise rollback`'s time). `options` are the Composer's other options;
 * `forceDoc` and `endOffset` are its `compose` arguments.
 */
export function* composeDocuments(
  tokens: Iterable<CST.Token>,
  options: { readonly merge?: boolean } = {},
  forceDoc?: boolean,
  endOffset?: number,
): Generator<Document.Parsed> {
  for (const document of new Composer({ ...options, uniqueKeys: false }).compose(tokens, forceDoc, endOffset)) {
    addDuplicateKeyError(document);
    yield document;
  }
}

/**
 * Adds to `document.errors` the error the `yaml` package's `uniqueKeys: true` reports first for a
 * key written twice in one mapping (`DUPLICATE_KEY`, at the repeat), for a document composed with
 * `uniqueKeys: false`. Keys are the same as that check has them: scalars with the same value
 * (`1` and `0x1`, `~` and an empty key); a collection or an alias as a key is never a repeat. It
 * goes where composing puts it: that checks a block mapping's key as it reads the key, a flow
 * mapping's once it has read the value, and the errors come in that order.
 */
function addDuplicateKeyError(document: Document.Parsed): void {
  let first: { at: number; checked: number } | undefined;
  visit(document, {
    Map(_key, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = pair.key;
        if (!isScalar(key) || Number.isNaN(key.value) || !key.range) continue;
        if (seen.has(key.value)) {
          const value = pair.value as { range?: readonly number[] } | null;
          const checked = map.flow ? (value?.range?.[1] ?? key.range[1]) : key.range[0];
          if (first === undefined || checked < first.checked) first = { at: key.range[0], checked };
        }
        seen.add(key.value);
      }
      return undefined;
    },
  });
  if (first === undefined) return;
  const { at, checked } = first;
  const after = document.errors.findIndex((e) => e.pos[0] > checked);
  document.errors.splice(after < 0 ? document.errors.length : after, 0, new YAMLParseError([at, at + 1], 'DUPLICATE_KEY', 'Map keys must be unique'));
}

/** A key written twice in one mapping: its key path in the document and the lines of both. */
export interface DuplicateKey {
  /** The key path, e.g. `config.stepwise:plan.kind`. */
  readonly keyPath: string;
  /** The key as written, e.g. `kind`. */
  readonly key: string;
  /** The line of the first occurrence. */
  readonly firstLine: number;
  /** The line of the repeat (where the `yaml` package reports it). */
  readonly line: number;
}

/**
 * The duplicated key whose repeat starts at `offset` (the position of a `DUPLICATE_KEY` error),
 * or undefined when no key starts there. `document` must come from the same text as `lineCounter`.
 */
export function duplicateKeyAt(document: Document, offset: number, lineCounter: LineCounter): DuplicateKey | undefined {
  let found: DuplicateKey | undefined;
  visit(document, {
    Pair(_key, pair, path) {
      const key = pair.key;
      if (!isScalar(key) || key.range?.[0] !== offset) return undefined;
      const parent = path[path.length - 1];
      const first = isMap(parent) ? parent.items.find((item) => item !== pair && isScalar(item.key) && item.key.value === key.value) : undefined;
      const firstStart = isScalar(first?.key) ? first.key.range?.[0] : undefined;
      found = {
        keyPath: joinKeyPath(keyPathOf(path, pair), String(key.value)),
        key: String(key.value),
        firstLine: lineCounter.linePos(firstStart ?? offset).line,
        line: lineCounter.linePos(offset).line,
      };
      return visit.BREAK;
    },
  });
  return found;
}

/** The key path of the mapping holding `node`, from the ancestors `visit` passes: `config.stepwise:plan.stages[2]`. */
export function keyPathOf(path: readonly unknown[], node: unknown): string {
  let keyPath = '';
  path.forEach((ancestor, i) => {
    const child = i + 1 < path.length ? path[i + 1] : node;
    if (isSeq(ancestor)) keyPath = joinKeyPath(keyPath, `[${ancestor.items.indexOf(child)}]`);
    else if (isPair(ancestor) && isScalar(ancestor.key)) keyPath = joinKeyPath(keyPath, String(ancestor.key.value));
  });
  return keyPath;
}
