/**
 * Unquoted YAML values that the two readers of a stack file read differently. The stepwise CLI
 * reads YAML 1.2 (the `yaml` package); `pulumi up` gets the stack's config from the Pulumi CLI,
 * whose Go YAML reader keeps YAML 1.1's rules for these: `010` is 8 (octal), `0b11` is 3, `1_000`
 * is 1000, and `2026-11-30` becomes a date that reaches the program as
 * `2026-11-30 00:00:00 +0000 UTC`. `check` would approve one value and `pulumi up` apply another,
 * so the file is refused until the value is quoted or written plainly
 * (e2e/stack-file-agreement.e2e.test.ts runs both readers on each case).
 */
import { visit, type Document, type LineCounter } from 'yaml';
import { pulumiReading } from './pulumi-readings';
import { keyPathOf } from './yaml-problems';

/** A value the readers disagree on: where it is, what it says, how each reads it. */
export interface AmbiguousScalar {
  readonly keyPath: string;
  readonly line: number;
  readonly source: string;
  /** How `pulumi up` reads it. */
  readonly pulumiReads: string;
  /** How the stepwise CLI (YAML 1.2) reads it. */
  readonly yaml12Reads: string;
}

/** How YAML 1.2 (the `yaml` package's core schema) reads it. */
function yaml12Reading(value: unknown): string {
  return typeof value === 'string' ? `the text '${value}'` : `the number ${String(value)}`;
}

/** The first unquoted value of `document` that `pulumi up` and the stepwise CLI read differently. */
export function firstAmbiguousScalar(document: Document, lineCounter: LineCounter): AmbiguousScalar | undefined {
  let found: AmbiguousScalar | undefined;
  visit(document, {
    Scalar(_key, node, path) {
      if (node.type !== 'PLAIN' || typeof node.source !== 'string') return;
      const pulumiReads = pulumiReading(node.source);
      if (!pulumiReads) return;
      found = {
        keyPath: keyPathOf(path, node),
        line: lineCounter.linePos(node.range?.[0] ?? 0).line,
        source: node.source,
        pulumiReads,
        yaml12Reads: yaml12Reading(node.value),
      };
      return visit.BREAK;
    },
  });
  return found;
}
