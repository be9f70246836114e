/**
 * `npm run schema`: writes the stack file's JSON Schema (schema/stack-file.schema.json) and the
 * stack-file reference (docs/stack-file.md), both generated from lib/schema. Commit both; a test
 * fails when they differ from a regeneration.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { STACK_FILE_SCHEMA_PATH, stackFileJsonSchemaText } from './json-schema';
import { STACK_FILE_REFERENCE_PATH, stackFileReferenceText } from './stack-file-reference';

const root = path.resolve(__dirname, '..', '..');
for (const [file, text] of [
  [STACK_FILE_SCHEMA_PATH, stackFileJsonSchemaText()],
  [STACK_FILE_REFERENCE_PATH, stackFileReferenceText()],
] as const) {
  fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  fs.writeFileSync(path.join(root, file), text);
  console.log(`wrote ${file}`);
}
