/**
 * The unified diff of two stages' rendered manifests, one patch per object file, as a reviewer
 * reads it in a pull request. Deterministic: files sorted by name, no timestamps in the headers.
 */
import { createTwoFilesPatch } from 'diff';

/** One rendered object file: `<Kind>.<name>.k8s.yaml` and its YAML (see lib/synth/render-stack.ts). */
export interface ManifestText {
  /** File name. */
  readonly name: string;
  /** The YAML text. */
  readonly yaml: string;
}

/** One side of the manifest diff: its files and the label shown in the patch headers. */
export interface ManifestSide {
  /** Shown after the file name in `---`/`+++` lines' directory, e.g. `fop-gate@canary`. */
  readonly label: string;
  /** The files. */
  readonly files: readonly ManifestText[];
}

/** One file's patch. */
export interface ManifestPatch {
  /** File name. */
  readonly name: string;
  /** `added`, `deleted` or `changed` (files that did not change have no patch). */
  readonly status: 'added' | 'deleted' | 'changed';
  /** The unified diff (`--- a/…`, `+++ b/…`, hunks), ending in a newline. */
  readonly patch: string;
}

/**
 * The patches from `before` to `after`: a file only `after` has is added (diffed against
 * `/dev/null`, as git does), a file only `before` has is deleted, unchanged files are left out.
 * Sorted by file name.
 */
export function manifestPatches(before: ManifestSide, after: ManifestSide): ManifestPatch[] {
  const old = new Map(before.files.map((f) => [f.name, f.yaml]));
  const neu = new Map(after.files.map((f) => [f.name, f.yaml]));
  const names = [...new Set([...old.keys(), ...neu.keys()])].sort();
  const patches: ManifestPatch[] = [];
  for (const name of names) {
    const a = old.get(name);
    const b = neu.get(name);
    if (a === b) continue;
    const status = a === undefined ? 'added' : b === undefined ? 'deleted' : 'changed';
    const oldName = a === undefined ? '/dev/null' : `a/${before.label}/${name}`;
    const newName = b === undefined ? '/dev/null' : `b/${after.label}/${name}`;
    const patch = createTwoFilesPatch(oldName, newName, a ?? '', b ?? '', undefined, undefined, {
      context: 3,
      headerOptions: { includeIndex: false, includeUnderline: false, includeFileHeaders: true },
    });
    patches.push({ name, status, patch });
  }
  return patches;
}

/** All patches as one text (what `git diff` would print for the two folders). */
export function patchText(patches: readonly ManifestPatch[]): string {
  return patches.map((p) => p.patch).join('');
}
