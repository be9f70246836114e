/**
 * `npx tsx scripts/pod-fields/generate.ts`: writes lib/model/pod-template-fields.ts, the field
 * names of the Kubernetes PodSpec and Container (and every object type under them) read from the
 * type declarations of kubernetes-models, the package stepwise validates rendered objects with.
 * Its compiled schemas do not reject unknown fields, so stepwise checks the names itself against
 * this tree. Deterministic: types and fields sorted. Run it when kubernetes-models is upgraded;
 * with `--check` it writes nothing and exits 1 when the committed file is stale.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const root = path.resolve(__dirname, '..', '..');
const entry = path.join(root, 'node_modules/kubernetes-models/v1/PodSpec.d.ts');
const program = ts.createProgram([entry], { strict: true, skipLibCheck: true });
const checker = program.getTypeChecker();
const source = program.getSourceFile(entry) as ts.SourceFile;
const moduleSymbol = checker.getSymbolAtLocation(source) as ts.Symbol;
const podSpec = checker.getExportsOfModule(moduleSymbol).find((s) => s.name === 'IPodSpec') as ts.Symbol;

/** Field name → the type name of an object field (`Affinity`), with `[]` for a list, or '' for a value stepwise does not look into. */
const types = new Map<string, Record<string, string>>();

function typeName(symbol: ts.Symbol): string {
  return symbol.name.replace(/^IIoK8sApiCoreV1|^IIoK8sApimachineryPkgApisMetaV1|^I/, '');
}

function fieldOf(type: ts.Type): string {
  const nonNull = checker.getNonNullableType(type);
  if (checker.isArrayType(nonNull)) {
    const element = (nonNull as ts.TypeReference).typeArguments?.[0];
    const inner = element ? fieldOf(element) : '';
    return inner === '' ? '' : `${inner}[]`;
  }
  if (!(nonNull.flags & ts.TypeFlags.Object)) return '';
  const properties = checker.getPropertiesOfType(nonNull);
  const symbol = nonNull.aliasSymbol ?? nonNull.getSymbol();
  if (properties.length === 0 || !symbol || checker.getIndexInfosOfType(nonNull).length > 0) return '';
  const name = typeName(symbol);
  if (!types.has(name)) {
    const fields: Record<string, string> = {};
    types.set(name, fields);
    for (const property of properties) {
      fields[property.name] = fieldOf(checker.getTypeOfSymbol(property));
    }
  }
  return name;
}

fieldOf(checker.getDeclaredTypeOfSymbol(podSpec));
const sorted = Object.fromEntries(
  [...types.keys()].sort().map((name) => {
    const fields = types.get(name) as Record<string, string>;
    return [
      name,
      Object.fromEntries(
        Object.keys(fields)
          .sort()
          .map((f) => [f, fields[f]]),
      ),
    ];
  }),
);
const text = `/**
 * The field names of the Kubernetes PodSpec and Container, and of every object type under them,
 * by type: a field maps to its object type's name (with \`[]\` for a list of them), or to '' for
 * a value whose keys are free (labels, quantities) or a scalar. Generated from kubernetes-models
 * by scripts/pod-fields/generate.ts; do not edit.
 */

/** The fields of each object type reachable from a PodSpec. */
export const KUBERNETES_POD_FIELDS: Readonly<Record<string, Readonly<Record<string, string>>>> = ${JSON.stringify(sorted, null, 2)};
`;
/** The generated text as Prettier writes it (the committed file is formatted). */
async function formatted(): Promise<string> {
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(path.join(root, 'lib/model/pod-template-fields.ts'))) ?? {};
  return prettier.format(text, { ...options, parser: 'typescript' });
}

void formatted().then((output) => {
  const file = path.join(root, 'lib/model/pod-template-fields.ts');
  if (process.argv.includes('--check')) {
    const fresh = fs.readFileSync(file, 'utf8') === output;
    console.log(
      fresh
        ? 'lib/model/pod-template-fields.ts is up to date'
        : 'lib/model/pod-template-fields.ts is stale: run npx tsx scripts/pod-fields/generate.ts',
    );
    process.exitCode = fresh ? 0 : 1;
    return;
  }
  fs.writeFileSync(file, output);
  console.log(`wrote lib/model/pod-template-fields.ts (${types.size} types)`);
});
