/**
 * Reads the repository's Markdown as a reader's tools do: which files there are, their headings'
 * anchors as GitHub makes them, their links, and their shell blocks. Shared by the docs tests.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './example-stacks';

/** Every Markdown page a reader is pointed at: README.md, CONTRIBUTING.md and all of docs/. */
export function markdownFiles(): string[] {
  const docs = (fs.readdirSync(path.join(ROOT, 'docs'), { recursive: true, encoding: 'utf8' }) as string[])
    .filter((f) => f.endsWith('.md'))
    .map((f) => path.join('docs', f));
  return ['README.md', 'CONTRIBUTING.md', ...docs].sort();
}

/** One line of a page outside fenced code, with its 1-based line number. */
interface ProseLine {
  readonly line: number;
  readonly text: string;
}

function proseLines(text: string): ProseLine[] {
  const out: ProseLine[] = [];
  let fence: string | undefined;
  text.split('\n').forEach((line, i) => {
    const opener = /^\s*(`{3,}|~{3,})/.exec(line);
    if (opener) {
      if (fence === undefined) fence = opener[1];
      else if (line.trim().startsWith(fence) && line.trim().replace(/[`~]/g, '') === '') fence = undefined;
      return;
    }
    if (fence === undefined) out.push({ line: i + 1, text: line });
  });
  return out;
}

/** The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to dashes. */
export function headingSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\- _]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a page has: its headings (a repeated heading gets `-1`, `-2`, …) and `<a id>`/`<a name>` tags. */
export function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text: line } of proseLines(text)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      const slug = headingSlug(heading[1]);
      const n = seen.get(slug);
      seen.set(slug, (n ?? -1) + 1);
      anchors.add(n === undefined ? slug : `${slug}-${n + 1}`);
    }
    for (const tag of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(tag[1]);
  }
  return anchors;
}

/** A link in a page's prose. */
export interface MarkdownLink {
  readonly line: number;
  readonly target: string;
}

/** The inline links (`[text](target)`, images too) outside code, with inline code spans removed. */
export function linksOf(text: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  for (const { line, text: prose } of proseLines(text)) {
    const withoutCode = prose.replace(/`+[^`]*`+/g, '');
    for (const m of withoutCode.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) links.push({ line, target: m[1] });
  }
  return links;
}

/** A fenced code block. */
export interface CodeBlock {
  /** The info string's first word (`sh`, `console`, …), or '' when there is none. */
  readonly language: string;
  /** The line of the opening fence, 1-based. */
  readonly line: number;
  /** Its lines, without the fences. */
  readonly lines: readonly string[];
  /** The reason given in a `<!-- not run: reason -->` comment right before it, if any. */
  readonly notRun?: string;
}

/** Every fenced code block of a page, in order. */
export function codeBlocksOf(text: string): CodeBlock[] {
  const lines = text.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const opener = /^(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i]);
    if (!opener) continue;
    const fence = opener[1];
    let end = i + 1;
    while (end < lines.length && !(lines[end].startsWith(fence) && lines[end].trim().replace(/[`~]/g, '') === '')) end++;
    let before = i - 1;
    while (before >= 0 && lines[before].trim() === '') before--;
    const marker = before >= 0 ? /^<!--\s*not run:\s*(.+?)\s*-->$/.exec(lines[before].trim()) : null;
    blocks.push({ language: opener[2], line: i + 1, lines: lines.slice(i + 1, end), notRun: marker?.[1] });
    i = end;
  }
  return blocks;
}
