/**
 * Moving a stack's current stage by editing its file: `stepwise promote` and `stepwise rollback`
 * change `stepwise:stage` (and record `stepwise:fromStage`) and nothing else. The file is a
 * reviewed document — comments, blank lines, key order, quoting and line endings are the
 * authors' — so the edit goes through the `yaml` package's concrete syntax tree (CST), which keeps
 * every source token: the two values are set in place (`CST.setScalarValue`) and the tree is
 * written back token by token (`CST.stringify`), so every other byte is the original's.
 */
import * as fs from 'node:fs';
import { CST, parse, Parser, type Document } from 'yaml';
import { replaceFileAtomically } from '../files/replace-file';
import { StepwiseError } from '../model/errors';
import { isPlainObject } from '../model/plain-data';
import { readPlainYaml } from './plain-yaml-read';
import { CONFIG_NAMESPACE } from './stack-config';
import { composeDocuments } from './yaml-problems';

const STAGE_KEY = `${CONFIG_NAMESPACE}:stage`;
const FROM_STAGE_KEY = `${CONFIG_NAMESPACE}:fromStage`;

/** The two values a stage move writes. */
export interface StageMove {
  /** The new `stepwise:stage`. */
  readonly stage: string;
  /** The new `stepwise:fromStage`: the stage the cluster is in before the update. */
  readonly fromStage: string;
}

/** One `key: value` entry of a block or flow mapping in the CST. */
type MapItem = CST.CollectionItem;

/**
 * The stack file's text with `config.stepwise:stage` set to `move.stage` and
 * `config.stepwise:fromStage` set to `move.fromStage`; every other byte is unchanged. A value keeps
 * its quoting style (a plain one is double-quoted only when it would not read back as the same
 * string); a block scalar (`|-` and the value on the next line) becomes a one-line plain value,
 * keeping a comment on its header line; a missing `stepwise:fromStage` is added right after
 * `stepwise:stage` (its own line in a block mapping, `, stepwise:fromStage: x` in a flow mapping),
 * with the file's line ending. Throws a StepwiseError (naming `file` and the key) when `config` or
 * `stepwise:stage` is missing, for an alias (`*name`), an explicit key (`? stepwise:stage`), a
 * value that is a mapping or a list, and an edit that would not read back as exactly the two new
 * values with everything else the same.
 */
export function setStageInText(text: string, move: StageMove, file: string): string {
  const tokens = [...new Parser().parse(text)];
  const documents = [...composeDocuments(tokens)];
  const problem = documents.flatMap((d) => d.errors)[0];
  if (problem) {
    throw new StepwiseError({ file, problem: `is not valid YAML: ${problem.message.split('\n')[0]}`, fix: 'fix the YAML syntax first' });
  }
  const root = tokens.find((t): t is CST.Document => t.type === 'document')?.value;
  const configItem = root && isMapToken(root) ? itemOf(root, 'config') : undefined;
  const config = configItem?.value;
  if (!config || !isMapToken(config)) {
    throw new StepwiseError({
      file,
      keyPath: 'config',
      problem: configItem ? 'is not a mapping' : 'is missing',
      fix: `write \`config:\` with \`${STAGE_KEY}: <stage name>\` and the plan under it (as in stacks/Pulumi.fop-gate.yaml)`,
    });
  }
  const stageItem = itemOf(config, STAGE_KEY);
  if (!stageItem) {
    throw new StepwiseError({ file, keyPath: `config.${STAGE_KEY}`, problem: 'is missing', fix: `add \`${STAGE_KEY}: <stage name>\` under config:` });
  }
  assertEditable(stageItem, STAGE_KEY, file);
  const fromItem = itemOf(config, FROM_STAGE_KEY);
  if (fromItem) assertEditable(fromItem, FROM_STAGE_KEY, file);

  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  setValue(stageItem, move.stage);
  if (fromItem) setValue(fromItem, move.fromStage);
  else insertAfter(config, stageItem, FROM_STAGE_KEY, move.fromStage, newline);

  const edited = tokens.map((t) => CST.stringify(t)).join('');
  verifyEdit(documents, text, edited, move, file);
  return edited;
}

function isMapToken(token: CST.Token): token is CST.BlockMap | CST.FlowCollection {
  return token.type === 'block-map' || (token.type === 'flow-collection' && token.start.type === 'flow-map-start');
}

/** The item of `map` whose key reads as `key` (plain or quoted). */
function itemOf(map: CST.BlockMap | CST.FlowCollection, key: string): MapItem | undefined {
  return map.items.find((item) => item.key && isScalarToken(item.key) && CST.resolveAsScalar(item.key)?.value === key);
}

function isScalarToken(token: CST.Token): token is CST.FlowScalar | CST.BlockScalar {
  return CST.isScalar(token);
}

/** Throws a StepwiseError unless `item`'s value is a scalar the edit can set in place. */
function assertEditable(item: MapItem, key: string, file: string): void {
  const keyPath = `config.${key}`;
  const oneLine = `write \`${key}: <stage name>\` on one line`;
  if (item.start.some((t) => t.type === 'explicit-key-ind')) {
    throw new StepwiseError({ file, keyPath, problem: `is written as an explicit key (\`? ${key}\`), which promote and rollback do not edit`, fix: oneLine });
  }
  const value = item.value;
  if (value?.type === 'alias') {
    throw new StepwiseError({
      file,
      keyPath,
      problem: `is an alias (${value.source}), not a stage name, so promote and rollback cannot change it without changing the anchor`,
      fix: `${oneLine}, with the stage name itself`,
    });
  }
  if (value && !isScalarToken(value)) {
    throw new StepwiseError({ file, keyPath, problem: 'is not a single value (a mapping or a list)', fix: oneLine });
  }
}

/** Sets `item`'s value to `stage`, in its own quoting style; an empty value gets one after its colon. */
function setValue(item: MapItem, stage: string): void {
  const value = item.value;
  if (!value) {
    // `key:` with nothing after it: the value goes after the colon, the rest of the line after it.
    const sep = item.sep ?? [];
    const colon = sep.findIndex((t) => t.type === 'map-value-ind');
    item.sep = [...sep.slice(0, colon + 1), { type: 'space', offset: 0, indent: 0, source: ' ' }];
    item.value = { type: 'scalar', offset: 0, indent: 0, source: plainOrQuoted(stage), end: sep.slice(colon + 1) };
    return;
  }
  const scalar = value as CST.FlowScalar | CST.BlockScalar;
  if (scalar.type === 'block-scalar') {
    // Lines after the value's own (a keep-chomped `|+` holds blank lines) stay where they were.
    const trailing = /\n((?:[ \t]*\r?\n)*)$/.exec(scalar.source)?.[1] ?? '';
    CST.setScalarValue(scalar, stage, { type: plainIsSafe(stage) ? 'PLAIN' : 'QUOTE_DOUBLE' });
    const flow = scalar as unknown as CST.FlowScalar;
    if (trailing) flow.end = [...(flow.end ?? []), { type: 'newline', offset: 0, indent: 0, source: trailing }];
    return;
  }
  if (scalar.type === 'scalar') {
    CST.setScalarValue(scalar, stage, { type: plainIsSafe(stage) ? 'PLAIN' : 'QUOTE_DOUBLE' });
    return;
  }
  CST.setScalarValue(scalar, stage); // keeps its single or double quotes
}

/** Adds `key: value` to `map` right after `after`, as a line of its own in a block mapping. */
function insertAfter(map: CST.BlockMap | CST.FlowCollection, after: MapItem, key: string, value: string, newline: string): void {
  const token = (type: CST.SourceToken['type'], source: string): CST.SourceToken => ({ type, offset: 0, indent: 0, source });
  const previous = after.value as CST.FlowScalar;
  const index = (map.items as readonly MapItem[]).indexOf(after) + 1;
  if (map.type === 'flow-collection') {
    // `{ stepwise:stage: a }` → `{ stepwise:stage: b, stepwise:fromStage: a }`: what followed the
    // stage value (spaces before `}` or `,`) now follows the new value.
    const end = previous.end ?? [];
    previous.end = [];
    map.items.splice(index, 0, {
      start: [token('comma', ','), token('space', ' ')],
      key: { type: 'scalar', offset: 0, indent: 0, source: key },
      sep: [token('map-value-ind', ':'), token('space', ' ')],
      value: { type: 'scalar', offset: 0, indent: 0, source: plainOrQuoted(value), end },
    });
    return;
  }
  // The stage value's line ends with its newline (after any comment); at the end of a file
  // without a final newline, the new line is written after one.
  const end = previous.end ?? [];
  const endsLine = end.some((t) => t.type === 'newline');
  if (!endsLine) previous.end = [...end, token('newline', newline)];
  map.items.splice(index, 0, {
    start: map.indent > 0 ? [token('space', ' '.repeat(map.indent))] : [],
    key: { type: 'scalar', offset: 0, indent: map.indent, source: key },
    sep: [token('map-value-ind', ':'), token('space', ' ')],
    value: { type: 'scalar', offset: 0, indent: map.indent, source: plainOrQuoted(value), end: endsLine ? [token('newline', newline)] : [] },
  });
}

/** True when `value` written plain reads back as the same string. */
function plainIsSafe(value: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(value) && parse(value) === value;
}

/** `value` plain when that reads back as the same string, else double-quoted. */
function plainOrQuoted(value: string): string {
  return plainIsSafe(value) ? value : JSON.stringify(value);
}

/**
 * Re-reads the edited text: the two keys must hold the new values and everything else must be the
 * same data as before (`before`, the documents composed from the original text `original`). Guards
 * against an edit in the wrong place ever reaching the disk: any failure, including edited text
 * that no longer parses, is a StepwiseError and nothing is written. Both texts are read by the fast
 * reader when it takes both (it gives exactly the `yaml` package's value, several times faster on
 * a big plan), else by the `yaml` package.
 */
export function verifyEdit(before: readonly Document[], original: string, after: string, move: StageMove, file: string): void {
  const refuse = (): never => {
    throw new StepwiseError({
      file,
      keyPath: `config.${STAGE_KEY}`,
      problem: 'could not be changed without touching other lines; the file was not changed',
      fix: `write \`${STAGE_KEY}: ${move.stage}\` and \`${FROM_STAGE_KEY}: ${move.fromStage}\` by hand, each on one line`,
    });
  };
  const shape = (data: unknown): Record<string, unknown> =>
    isPlainObject(data) && isPlainObject(data.config) ? { ...data, config: { ...data.config } } : {};
  const fastAfter = readPlainYaml(after);
  const fastBefore = fastAfter === undefined ? undefined : readPlainYaml(original);
  let edited: Record<string, unknown>;
  let old: Record<string, unknown>;
  if (fastAfter !== undefined && fastBefore !== undefined) {
    edited = shape(fastAfter);
    old = shape(fastBefore);
  } else {
    try {
      const documents = [...composeDocuments(new Parser().parse(after))];
      if (documents.length !== 1 || documents[0].errors.length > 0) return refuse();
      edited = shape(documents[0].toJS());
    } catch {
      return refuse();
    }
    old = shape(before[0]?.toJS());
  }
  const config = edited.config as Record<string, unknown> | undefined;
  const ok =
    before.length === 1 &&
    config !== undefined &&
    config[STAGE_KEY] === move.stage &&
    config[FROM_STAGE_KEY] === move.fromStage &&
    JSON.stringify(withoutStageKeys(old)) === JSON.stringify(withoutStageKeys(edited));
  if (!ok) refuse();
}

function withoutStageKeys(data: Record<string, unknown>): Record<string, unknown> {
  const config = { ...(data.config as Record<string, unknown>) };
  delete config[STAGE_KEY];
  delete config[FROM_STAGE_KEY];
  return { ...data, config };
}

/**
 * Throws a StepwiseError unless `file` may be rewritten: its owner write bit is set and this
 * process may write it. The mode bits are checked as well as `access(W_OK)` because root passes
 * `access` on any file, and the atomic write replaces the file by rename, which a read-only file
 * does not stop: a stack file someone made read-only is a decision promote must not override.
 */
export function assertStackFileWritable(file: string): void {
  let mode: number;
  try {
    mode = fs.statSync(file).mode;
  } catch (error) {
    throw new StepwiseError({ file, problem: `could not be read: ${(error as Error).message}`, fix: 'check that the file exists and its directory is readable' });
  }
  const fix = `chmod u+w ${file}, or edit it by hand`;
  if ((mode & 0o200) === 0) throw new StepwiseError({ file, problem: 'is read-only', fix });
  try {
    fs.accessSync(file, fs.constants.W_OK);
  } catch {
    throw new StepwiseError({ file, problem: 'is not writable by this user', fix });
  }
}

/**
 * Replaces `file` with `text` atomically: the text goes to a temporary file in the same directory,
 * is flushed, and is renamed over `file`, so a crash or a full disk never leaves half a stack file.
 * The file's permission bits are kept, and a read-only file is refused (see
 * {@link assertStackFileWritable}). A symbolic link stays a link: the file it leads to is replaced. The temporary file is created exclusively, so a stale one
 * (or a concurrent promote) makes the write fail instead of mixing two edits.
 */
export function writeStackFileAtomically(file: string, text: string): void {
  assertStackFileWritable(file);
  try {
    replaceFileAtomically(file, text);
  } catch (error) {
    throw new StepwiseError({ file, problem: `could not be written: ${(error as Error).message}`, fix: 'check the file and directory permissions and free space' });
  }
}
