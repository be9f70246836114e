/**
 * How `pulumi up` reads an unquoted YAML value that the stepwise CLI (YAML 1.2) reads otherwise.
 * The Pulumi CLI's Go YAML reader keeps YAML 1.1's rules for these: `010` is 8 (octal), `0b11` is
 * 3, `1_000` is 1000, and `2026-11-30` becomes a date. Pure text rules, so the fast reader
 * (plain-yaml-read.ts) asks them without loading the `yaml` package; ambiguous-scalars.ts finds
 * such values in a `yaml` document.
 */

/** A YAML 1.1 timestamp (what the Go reader turns into a date). */
const TIMESTAMP = /^\d{4}-\d{1,2}-\d{1,2}(?:(?:[Tt]|[ \t]+)\d{1,2}:\d{2}:\d{2}(?:\.\d*)?(?:[ \t]*(?:Z|[-+]\d{1,2}(?::\d{2})?))?)?$/;

/** How the Go reader reads a plain scalar that YAML 1.2 reads otherwise, or undefined if they agree. */
export function pulumiReading(source: string): string | undefined {
  // The Go reader tries a number or a date only for a value that starts with a digit or a sign
  // (gopkg.in/yaml.v3 resolve.go, its resolveTable): `_1` is text to both readers.
  const first = source.charCodeAt(0);
  if (!(first >= 48 && first <= 57) && first !== 43 && first !== 45) return undefined;
  if (TIMESTAMP.test(source)) return 'a date (it reaches the program as text like "2026-11-30 00:00:00 +0000 UTC")';
  const digits = source.replace(/_/g, '');
  const sign = /^[-+]/.test(digits) ? digits[0] : '';
  const body = digits.slice(sign.length);
  let value: bigint | undefined;
  if (/^0[0-7]+$/.test(body)) value = BigInt(`0o${body.slice(1)}`);
  else if (/^0b[01]+$/.test(body)) value = BigInt(body);
  else if (source.includes('_') && /^(?:0x[0-9a-fA-F]+|0o[0-7]+|[0-9]+)$/.test(body)) value = BigInt(body);
  if (value === undefined) return undefined;
  return `the number ${sign === '-' ? -value : value}`;
}
