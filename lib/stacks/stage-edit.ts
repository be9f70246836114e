/**
 * Moving a stack's current stage by editing its file: `stepwise promote` and `stepwise rollback`
 * change `stepwise:stage` (and record `stepwise:fromStage`) and nothing else. The file is a
 * reviewed document — comments, blank lines, key order and quoting are the authors' — so the edit
 * splices the two values into the original text instead of re-serialising the YAML.
 */
import * as fs from 'node:fs';
import { isAlias, isMap, isScalar, parse, parseDocument, Scalar, type Pair, type YAMLMap } from 'yaml';
import { replaceFileAtomically } from '../files/replace-file';
import { StepwiseError } from '../model/errors';
import { isPlainObject } from '../model/plain-data';
import { CONFIG_NAMESPACE } from './stack-config';

const STAGE_KEY = `${CONFIG_NAMESPACE}:stage`;
const FROM_STAGE_KEY = `${CONFIG_NAMESPACE}:fromStage`;

/** The two values a stage move writes. */
export interface StageMove {
  /** The new `stepwise:stage`. */
  readonly stage: string;
  /** The new `stepwise:fromStage`: the stage the cluster is in before the update. */
  readonly fromStage: string;
}

/**
 * The stack file's text with `config.stepwise:stage` set to `move.stage` and
 * `config.stepwise:fromStage` set to `move.fromStage`; every other byte is unchanged. An existing
 * quoted value keeps its quotes; a block scalar (`|-` and the value on the next line) becomes a
 * one-line plain value, keeping a comment on its header line; a missing `stepwise:fromStage` is
 * added on the line after `stepwise:stage`, at its indentation. Throws a StepwiseError (naming
 * `file` and the key) for a layout it cannot edit without rewriting other lines: a `config:` that
 * is not a block mapping, a missing `stepwise:stage`, an alias (`*name`), an explicit key
 * (`? stepwise:stage`), or an edit that would not read back as exactly the two new values.
 */
export function setStageInText(text: string, move: StageMove, file: string): string {
  const document = parseDocument(text, { uniqueKeys: true, keepSourceTokens: true });
  if (document.errors.length > 0) {
    throw new StepwiseError({ file, problem: `is not valid YAML: ${document.errors[0].message.split('\n')[0]}`, fix: 'fix the YAML syntax first' });
  }
  const config = document.get('config', true);
  if (!isMap(config) || config.flow) {
    throw new StepwiseError({
      file,
      keyPath: 'config',
      problem: 'is not a block mapping, so the stage cannot be changed without rewriting the file',
      fix: 'write `config:` with one key per line (as in stacks/Pulumi.fop-gate.yaml)',
    });
  }
  const stagePair = pairOf(config.items, STAGE_KEY);
  if (!stagePair) {
    throw new StepwiseError({ file, keyPath: `config.${STAGE_KEY}`, problem: 'is missing', fix: `add \`${STAGE_KEY}: <stage name>\` under config:` });
  }
  const stageValue = editableValue(config, stagePair, STAGE_KEY, file);
  const fromPair = pairOf(config.items, FROM_STAGE_KEY);
  const fromValue = fromPair && editableValue(config, fromPair, FROM_STAGE_KEY, file);

  // Splices, applied from the end of the text backwards so earlier offsets stay valid.
  const stageSplice = valueSplice(text, stageValue, move.stage);
  const splices: Splice[] = [stageSplice];
  if (fromValue) {
    splices.push(valueSplice(text, fromValue, move.fromStage));
  } else {
    const key = stagePair.key as Scalar;
    const keyStart = key.range![0];
    const lineStart = text.lastIndexOf('\n', keyStart - 1) + 1;
    const indent = text.slice(lineStart, keyStart);
    if (!/^[ ]*$/.test(indent)) {
      throw new StepwiseError({
        file,
        keyPath: `config.${STAGE_KEY}`,
        problem: 'does not start its own line',
        fix: `put \`${STAGE_KEY}: <stage name>\` on a line of its own under config:`,
      });
    }
    const lineEnd = text.indexOf('\n', stageSplice.end);
    const newline = lineEnd > 0 && text[lineEnd - 1] === '\r' ? '\r\n' : '\n';
    const line = `${indent}${FROM_STAGE_KEY}: ${scalarText(move.fromStage, Scalar.PLAIN)}`;
    // A file ending right after the stage value (no final newline) gets the line after a newline.
    if (lineEnd < 0) splices.push({ start: text.length, end: text.length, text: `${newline}${line}` });
    else splices.push({ start: lineEnd + 1, end: lineEnd + 1, text: `${line}${newline}` });
  }
  let edited = text;
  for (const splice of splices.sort((a, b) => b.start - a.start)) {
    edited = edited.slice(0, splice.start) + splice.text + edited.slice(splice.end);
  }
  verifyEdit(text, edited, move, file);
  return edited;
}

/** A replacement of `text.slice(start, end)`. */
interface Splice {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

function pairOf(items: readonly Pair<unknown, unknown>[], key: string): Pair<unknown, unknown> | undefined {
  return items.find((item) => isScalar(item.key) && item.key.value === key);
}

/**
 * The value of `pair` when it is a scalar written where a splice can replace it, or a
 * StepwiseError saying why not and how to write it instead.
 */
function editableValue(config: YAMLMap, pair: Pair<unknown, unknown>, key: string, file: string): Scalar {
  const keyPath = `config.${key}`;
  const oneLine = `write \`${key}: <stage name>\` on one line`;
  if (isExplicitKey(config, pair)) {
    throw new StepwiseError({ file, keyPath, problem: `is written as an explicit key (\`? ${key}\`), which promote and rollback do not edit`, fix: oneLine });
  }
  const value = pair.value;
  if (isAlias(value)) {
    throw new StepwiseError({
      file,
      keyPath,
      problem: `is an alias (*${value.source}), not a stage name, so promote and rollback cannot change it without changing the anchor`,
      fix: `${oneLine}, with the stage name itself`,
    });
  }
  if (!isScalar(value) || !value.range) {
    throw new StepwiseError({ file, keyPath, problem: 'is not a single value (a mapping or a list)', fix: oneLine });
  }
  return value;
}

/** True when `pair` is written `? key` / `: value` (an explicit key), found in the source tokens. */
function isExplicitKey(config: YAMLMap, pair: Pair<unknown, unknown>): boolean {
  const keyStart = (pair.key as Scalar).range?.[0];
  const items = config.srcToken?.type === 'block-map' ? config.srcToken.items : [];
  const item = items.find((i) => i.key?.offset === keyStart);
  return item?.start.some((token) => token.type === 'explicit-key-ind') ?? false;
}

/**
 * The splice that writes `stage` over `value`. A block scalar (`|-`, `>` and the like) is replaced
 * from its header to the end of its last line, not its final line break, by a one-line value; a
 * comment on the header line stays after it. An empty value gets the spaces that keep it apart.
 */
function valueSplice(text: string, value: Scalar, stage: string): Splice {
  const [start, end] = value.range!;
  if (value.type === Scalar.BLOCK_LITERAL || value.type === Scalar.BLOCK_FOLDED) {
    const written = text.slice(start, end);
    const header = written.split('\n')[0].replace(/\r$/, '');
    const comment = /[ \t]+(#.*)$/.exec(header)?.[1];
    return { start, end: start + written.trimEnd().length, text: `${scalarText(stage, Scalar.PLAIN)}${comment ? ` ${comment}` : ''}` };
  }
  if (start === end) {
    const before = start > 0 && /[ \t]/.test(text[start - 1]) ? '' : ' ';
    const after = start >= text.length || /[ \t\r\n]/.test(text[start]) ? '' : ' ';
    return { start, end, text: `${before}${scalarText(stage, Scalar.PLAIN)}${after}` };
  }
  return { start, end, text: scalarText(stage, value.type) };
}

/** `value` as a YAML scalar in the given style, quoting a plain one that would not read back as the same string. */
function scalarText(value: string, type: Scalar.Type | undefined): string {
  if (type === Scalar.QUOTE_SINGLE) return `'${value.replace(/'/g, "''")}'`;
  if (type === Scalar.QUOTE_DOUBLE) return JSON.stringify(value);
  const plainIsSafe = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(value) && parse(value) === value;
  return plainIsSafe ? value : JSON.stringify(value);
}

/**
 * Re-reads the edited text: the two keys must hold the new values and everything else must be the
 * same data as before. Guards against a splice in the wrong place ever reaching the disk: any
 * failure, including edited text that no longer parses, is a StepwiseError and nothing is written.
 */
function verifyEdit(before: string, after: string, move: StageMove, file: string): void {
  const refuse = (): never => {
    throw new StepwiseError({
      file,
      keyPath: `config.${STAGE_KEY}`,
      problem: 'could not be changed without touching other lines; the file was not changed',
      fix: `write \`${STAGE_KEY}: ${move.stage}\` and \`${FROM_STAGE_KEY}: ${move.fromStage}\` by hand, each on one line`,
    });
  };
  const read = (text: string): Record<string, unknown> => {
    let data: unknown;
    try {
      data = parse(text, { uniqueKeys: true });
    } catch {
      return refuse();
    }
    return isPlainObject(data) && isPlainObject(data.config) ? { ...data, config: { ...data.config } } : {};
  };
  const old = read(before);
  const edited = read(after);
  const config = edited.config as Record<string, unknown> | undefined;
  const ok =
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
