/**
 * Control characters in a stack file's text, which YAML does not allow (the `yaml` package
 * accepts a raw NUL): found with their line and column before any YAML reader runs.
 */

/** Characters YAML does not allow in a file (outside its printable set): C0 controls but tab and line breaks, DEL, and C1 controls but NEL. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NOT_PRINTABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u0084\u0086-\u009f]/;

/** Where a problem is in the text: 1-based line and column. */
export interface TextPosition {
  readonly line: number;
  readonly column: number;
}

/** The first character of `text` YAML does not allow, with its position, or undefined. */
export function firstControlCharacter(text: string): (TextPosition & { readonly codePoint: string }) | undefined {
  const match = NOT_PRINTABLE.exec(text);
  if (!match) return undefined;
  const before = text.slice(0, match.index);
  const lineStart = before.lastIndexOf('\n') + 1;
  return {
    line: before.split('\n').length,
    column: match.index - lineStart + 1,
    codePoint: `U+${match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`,
  };
}
