/**
 * Moving a stack's current stage by editing its file: `stepwise promote` and `stepwise rollback`
 * change `stepwise:stage` (and record `stepwise:fromStage`) and nothing else. The file is a
 * reviewed document — comments, blank lines, key order and quoting are the authors' — so the edit
 * splices the two values into the original text instead of re-serialising the YAML.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMap, isScalar, parse, parseDocument, Scalar, type Pair } from 'yaml';
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
 * value keeps its quoting style; a missing `stepwise:fromStage` is added on the line after
 * `stepwise:stage`, at its indentation. Throws a StepwiseError (naming `file`) when the file's
 * `config:` is not a block mapping with a `stepwise:stage` key, which is the only layout it
 * can edit without rewriting other lines.
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
  if (!stagePair || !isScalar(stagePair.value) || !stagePair.value.range) {
    throw new StepwiseError({ file, keyPath: `config.${STAGE_KEY}`, problem: 'is missing or not a plain value', fix: `add \`${STAGE_KEY}: <stage name>\` under config:` });
  }
  const fromPair = pairOf(config.items, FROM_STAGE_KEY);
  if (fromPair && (!isScalar(fromPair.value) || !fromPair.value.range)) {
    throw new StepwiseError({ file, keyPath: `config.${FROM_STAGE_KEY}`, problem: 'is not a plain value', fix: `write it as \`${FROM_STAGE_KEY}: <stage name>\`` });
  }

  // Splices, applied from the end of the text backwards so earlier offsets stay valid.
  const splices: { start: number; end: number; text: string }[] = [];
  const stageValue = stagePair.value;
  splices.push({ start: stageValue.range![0], end: stageValue.range![1], text: scalarText(move.stage, stageValue.type) });
  if (fromPair) {
    const fromValue = fromPair.value as Scalar;
    splices.push({ start: fromValue.range![0], end: fromValue.range![1], text: scalarText(move.fromStage, fromValue.type) });
  } else {
    const key = stagePair.key as Scalar;
    const keyStart = key.range![0];
    const lineStart = text.lastIndexOf('\n', keyStart - 1) + 1;
    const indent = text.slice(lineStart, keyStart);
    if (!/^[ ]*$/.test(indent)) {
      throw new StepwiseError({ file, keyPath: `config.${STAGE_KEY}`, problem: 'does not start its own line', fix: `put \`${STAGE_KEY}\` on a line of its own under config:` });
    }
    const lineEnd = text.indexOf('\n', stageValue.range![1]);
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

function pairOf(items: readonly Pair<unknown, unknown>[], key: string): Pair<unknown, unknown> | undefined {
  return items.find((item) => isScalar(item.key) && item.key.value === key);
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
 * same data as before. Guards against a splice in the wrong place ever reaching the disk.
 */
function verifyEdit(before: string, after: string, move: StageMove, file: string): void {
  const read = (text: string): Record<string, unknown> => {
    const data: unknown = parse(text);
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
  if (!ok) {
    throw new StepwiseError({ file, problem: 'the stage could not be changed without touching other lines', fix: `set ${STAGE_KEY} by hand` });
  }
}

function withoutStageKeys(data: Record<string, unknown>): Record<string, unknown> {
  const config = { ...(data.config as Record<string, unknown>) };
  delete config[STAGE_KEY];
  delete config[FROM_STAGE_KEY];
  return { ...data, config };
}

/**
 * Replaces `file` with `text` atomically: the text goes to a temporary file in the same directory,
 * is flushed, and is renamed over `file`, so a crash or a full disk never leaves half a stack file.
 * The file's permission bits are kept. The temporary file is created exclusively, so a stale one
 * (or a concurrent promote) makes the write fail instead of mixing two edits.
 */
export function writeStackFileAtomically(file: string, text: string): void {
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  const mode = fs.statSync(file).mode & 0o777;
  let created = false;
  try {
    const fd = fs.openSync(temp, 'wx', mode);
    created = true;
    try {
      fs.writeFileSync(fd, text);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, file);
  } catch (error) {
    if (created) fs.rmSync(temp, { force: true });
    throw new StepwiseError({ file, problem: `could not be written: ${(error as Error).message}`, fix: 'check the file and directory permissions and free space' });
  }
}
