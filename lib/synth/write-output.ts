import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RenderedStage } from './render-stack';

/**
 * Writes each rendered stage to `<outDir>/<stack>/`, replacing that folder as a whole: files go to
 * a temporary folder first, which is renamed into place, so a reader (or a failed run) never sees
 * a half-written stack. Callers render and validate everything before calling this.
 */
export function writeRenderedStages(outDir: string, rendered: readonly RenderedStage[]): string[] {
  fs.mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const stage of rendered) {
    const target = path.join(outDir, stage.stack);
    const staging = path.join(outDir, `.${stage.stack}.staging-${process.pid}`);
    const previous = path.join(outDir, `.${stage.stack}.previous-${process.pid}`);
    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(staging);
    for (const file of stage.files) fs.writeFileSync(path.join(staging, file.name), file.yaml);
    const hadPrevious = fs.existsSync(target);
    if (hadPrevious) fs.renameSync(target, previous);
    fs.renameSync(staging, target);
    if (hadPrevious) fs.rmSync(previous, { recursive: true, force: true });
    written.push(target);
  }
  return written;
}
