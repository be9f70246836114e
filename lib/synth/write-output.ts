import * as fs from 'node:fs';
import * as path from 'node:path';
import { StepwiseError } from '../model/errors';
import { assertPlainSegment, outputPathError, prepareOutputDir } from './output-path';
import type { RenderedStage } from './render-stack';

/**
 * Writes each rendered stage to `<outDir>/<stack>/`, replacing that folder as a whole: files go to
 * a temporary folder first, which is renamed into place, so a reader (or a failed run) never sees
 * a half-written stack. All or nothing across stacks too: if any stack cannot be written, every
 * folder is left as it was. Callers render and validate everything before calling this.
 * Returns the folders written, in the order given.
 */
export function writeRenderedStages(outDir: string, rendered: readonly RenderedStage[]): string[] {
  for (const stage of rendered) assertPlainSegment(stage.stack, 'stack', outDir);
  const twice = rendered.find((stage, i) => rendered.findIndex((other) => other.stack === stage.stack) !== i);
  if (twice) {
    // Two contents for one folder: whichever won would be an accident of order.
    throw new StepwiseError({ file: outDir, problem: `stack '${twice.stack}' is to be written twice`, fix: 'name each stack once' });
  }
  return replaceFolders(
    outDir,
    rendered.map((stage) => ({
      name: stage.stack,
      fill: (dir: string) => writeFiles(dir, stage.files),
    })),
  );
}

/**
 * Writes every stage of one stack to `<outDir>/<stack>/<stage>/`, replacing `<outDir>/<stack>/` as
 * a whole the way {@link writeRenderedStages} replaces one stack's folder. Returns that folder.
 */
export function writeAllStages(outDir: string, stack: string, rendered: readonly RenderedStage[]): string {
  assertPlainSegment(stack, 'stack', outDir);
  for (const stage of rendered) assertPlainSegment(stage.stage, 'stage', outDir);
  const [target] = replaceFolders(outDir, [
    {
      name: stack,
      fill: (dir: string) => {
        for (const stage of rendered) {
          fs.mkdirSync(path.join(dir, stage.stage));
          writeFiles(path.join(dir, stage.stage), stage.files);
        }
      },
    },
  ]);
  return target;
}

/** One folder of `outDir` to replace: its name, and how to write its content into a fresh folder. */
interface FolderContent {
  readonly name: string;
  readonly fill: (dir: string) => void;
}

/** One folder on its way into place. */
interface Swap {
  readonly target: string;
  readonly staging: string;
  readonly previous: string;
  movedAside: boolean;
  movedIn: boolean;
}

/**
 * Replaces `<outDir>/<name>/` for every folder in three steps: fill a staging folder beside each,
 * move the old folders aside, move the staging folders in; the old folders are removed only once
 * every new one is in place. A failure at any step undoes the steps before it, so the output
 * directory holds either every new folder or every old one, and no stray staging folder.
 */
function replaceFolders(outDir: string, folders: readonly FolderContent[]): string[] {
  prepareOutputDir(outDir);
  const swaps: Swap[] = folders.map((folder) => ({
    target: path.join(outDir, folder.name),
    staging: path.join(outDir, `.${folder.name}.staging-${process.pid}`),
    previous: path.join(outDir, `.${folder.name}.previous-${process.pid}`),
    movedAside: false,
    movedIn: false,
  }));
  for (const swap of swaps) refuseFileInTheWay(swap.target);
  try {
    folders.forEach((folder, i) => {
      fs.rmSync(swaps[i].staging, { recursive: true, force: true });
      fs.mkdirSync(swaps[i].staging);
      folder.fill(swaps[i].staging);
    });
    for (const swap of swaps) {
      if (fs.existsSync(swap.target)) {
        fs.renameSync(swap.target, swap.previous);
        swap.movedAside = true;
      }
    }
    for (const swap of swaps) {
      fs.renameSync(swap.staging, swap.target);
      swap.movedIn = true;
    }
  } catch (error) {
    undo(swaps);
    throw outputPathError(error, outDir, 'directory');
  }
  for (const swap of swaps) if (swap.movedAside) removeOldFolder(swap.previous);
  return swaps.map((swap) => swap.target);
}

/** Puts every old folder back and removes every staging folder (best effort: the write already failed). */
function undo(swaps: readonly Swap[]): void {
  for (const swap of [...swaps].reverse()) {
    try {
      if (swap.movedIn) fs.renameSync(swap.target, swap.staging);
      if (swap.movedAside) fs.renameSync(swap.previous, swap.target);
    } catch {
      // Leave what could not be moved back where it is; the error reported is the first one.
    }
    fs.rmSync(swap.staging, { recursive: true, force: true });
  }
}

/** The new folders are in place; an old one that cannot be removed is reported, not left silently. */
function removeOldFolder(previous: string): void {
  try {
    fs.rmSync(previous, { recursive: true, force: true });
  } catch (error) {
    throw new StepwiseError({
      file: previous,
      problem: `the new manifests were written, but this old folder could not be removed: ${(error as Error).message}`,
      fix: 'remove it by hand',
    });
  }
}

/** `<outDir>/<stack>` is replaced as a whole, but only ever a folder: never delete a user's file. */
function refuseFileInTheWay(target: string): void {
  let stats: fs.Stats | undefined;
  try {
    stats = fs.statSync(target, { throwIfNoEntry: false });
  } catch (error) {
    throw outputPathError(error, target, 'directory');
  }
  if (stats !== undefined && !stats.isDirectory())
    throw outputPathError(Object.assign(new Error('is a file'), { code: 'EEXIST' }), target, 'directory');
}

function writeFiles(dir: string, files: RenderedStage['files']): void {
  for (const file of files) fs.writeFileSync(path.join(dir, file.name), file.yaml);
}
