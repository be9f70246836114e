/**
 * Reading a stack file's text through the `yaml` package's document: slower than the fast reader
 * (plain-yaml-read.ts), and what reads every file that one leaves alone (anchors, tags, tabs,
 * any problem), so that each problem is reported with its line and key path. Loaded only when a
 * file needs it.
 */
import { LineCounter, Parser, YAMLParseError, isAlias, visit, type CST, type Document } from 'yaml';
import { StepwiseError } from '../model/errors';
import { firstAmbiguousScalar } from './ambiguous-scalars';
import { firstControlCharacter } from './control-characters';
import { composeDocuments, duplicateKeyAt, MAX_YAML_NESTING, tooDeepNesting } from './yaml-problems';

/** `parseStackYaml` (stack-file.ts) through the `yaml` package's document: every problem with its line. */
export function readYamlDocument(text: string, file: string): unknown {
  const control = firstControlCharacter(text);
  if (control) {
    throw new StepwiseError({
      file,
      keyPath: `line ${control.line}`,
      problem: `is not valid YAML: column ${control.column} holds the control character ${control.codePoint}, which YAML does not allow`,
      fix: 'delete it (it often comes from pasting binary or terminal output)',
    });
  }
  const lineCounter = new LineCounter();
  // Parsed once: the token tree is measured before the composer, which recurses, builds the document from it.
  const tokens = [...new Parser(lineCounter.addNewLine).parse(text)];
  const deep = tooDeepNesting(tokens, lineCounter);
  if (deep) {
    throw new StepwiseError({
      file,
      keyPath: `line ${deep.line}`,
      problem: `nests mappings and lists more than ${MAX_YAML_NESTING} levels deep (column ${deep.column}), more than stepwise reads; a stack file needs about 10`,
      fix: 'flatten it; if the depth is a mistake, look above this line for brackets or indentation that keep growing',
    });
  }
  const document = firstDocument(tokens, text.length);
  if (document.errors.length > 0) {
    const first = document.errors[0];
    const line = lineCounter.linePos(first.pos[0]).line;
    const duplicate = first.code === 'DUPLICATE_KEY' ? duplicateKeyAt(document, first.pos[0], lineCounter) : undefined;
    if (duplicate) {
      throw new StepwiseError({
        file,
        keyPath: duplicate.keyPath,
        problem: `is written twice in the same mapping (lines ${duplicate.firstLine} and ${duplicate.line}); YAML allows each key once`,
        fix: `keep one of the two \`${duplicate.key}:\` lines (merge their values if both are needed)`,
      });
    }
    throw new StepwiseError({
      file,
      keyPath: line ? `line ${line}` : undefined,
      problem: `is not valid YAML: ${first.message.split('\n')[0]}`,
      fix: 'fix the YAML syntax (indentation, a missing colon, or quotes around values with ": ")',
    });
  }
  const ambiguous = firstAmbiguousScalar(document, lineCounter);
  if (ambiguous) {
    throw new StepwiseError({
      file,
      keyPath: ambiguous.keyPath || `line ${ambiguous.line}`,
      problem: `is ${ambiguous.source} unquoted (line ${ambiguous.line}): pulumi up reads it as ${ambiguous.pulumiReads}, the stepwise CLI as ${ambiguous.yaml12Reads}`,
      fix: `quote it ('${ambiguous.source}') if it is text, or write the number plainly`,
    });
  }
  try {
    return document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // The yaml package refuses alias bombs (too many *aliases) while converting; point at the first alias.
    let line = 1;
    visit(document, (_key, node) => {
      if (isAlias(node) && node.range) {
        line = lineCounter.linePos(node.range[0]).line;
        return visit.BREAK;
      }
    });
    throw new StepwiseError({
      file,
      keyPath: `line ${line}`,
      problem: `cannot be read: ${(error as Error).message}`,
      fix: 'use fewer YAML aliases (*name), or write the values out',
    });
  }
}

/** The document `tokens` hold, composed as `parseDocument` composes it: a second document is an error. */
function firstDocument(tokens: readonly CST.Token[], length: number): Document.Parsed {
  let first: Document.Parsed | undefined;
  for (const document of composeDocuments(tokens, { merge: true }, true, length)) {
    if (!first) {
      first = document;
    } else {
      first.errors.push(new YAMLParseError([document.range[0], document.range[1]], 'MULTIPLE_DOCS', 'the file holds more than one YAML document (a line `---` starts another)'));
      break;
    }
  }
  // compose(…, true, …) always yields a document, an empty one for empty text.
  return first as Document.Parsed;
}
