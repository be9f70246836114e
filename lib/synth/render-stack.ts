import { renderStage, renderStageChange } from '../constructs/release-chart';
import type { KubeObject } from '../model/kube-object';
import type { Stack } from '../stacks';
import { validateObject } from './schema-validation';
import { toYaml } from './yaml-emitter';

/** One rendered manifest file. */
export interface ManifestFile {
  /** File name inside the stack's folder: `<Kind>.<name>.k8s.yaml`, as `cdk8s synth` names them. */
  readonly name: string;
  /** The object. */
  readonly object: KubeObject;
  /** Its YAML. */
  readonly yaml: string;
}

/** The manifests of one stage of a stack. */
export interface RenderedStage {
  /** Stack name. */
  readonly stack: string;
  /** Stage name. */
  readonly stage: string;
  /** The files, in render order. */
  readonly files: readonly ManifestFile[];
}

/** The file name cdk8s' FOLDER_PER_CHART_FILE_PER_RESOURCE output would use. */
export function manifestFileName(object: KubeObject): string {
  return `${`${object.kind}.${object.metadata.name}`.replace(/[^0-9a-zA-Z-_.]/g, '')}.k8s.yaml`;
}

/**
 * Renders a stage of a stack (its current stage by default) and validates every object against
 * the Kubernetes schemas. Throws before returning anything if one object is invalid.
 */
export function renderStackStage(
  stack: Stack,
  stage: string = stack.stage,
  extraObjects: (objects: KubeObject[]) => KubeObject[] = (o) => o,
): RenderedStage {
  const objects = extraObjects(renderStage(stack.plan, stage, stack.name, { fromStage: fromStageOf(stack, stage) }));
  return renderedFiles(stack, stage, objects);
}

/** A stage of a stack, one side of {@link renderStackStageChange}. */
export interface StackStage {
  /** The stack. */
  readonly stack: Stack;
  /** The stage, by name. */
  readonly stage: string;
}

/**
 * The manifests of two stages (of one stack, or of two versions of its file) that may differ:
 * each rendered and validated as {@link renderStackStage} renders it, without the workloads and
 * Services both make from the same props (they would render the same). For a diff of the two:
 * only the text is kept, so the first side's objects are gone while the second renders (at 4,000
 * changed workloads, ~60 MB less live heap for the collector to walk).
 */
export function renderStackStageChange(
  before: StackStage,
  after: StackStage,
): { before: readonly Pick<ManifestFile, 'name' | 'yaml'>[]; after: readonly Pick<ManifestFile, 'name' | 'yaml'>[] } {
  const side = ({ stack, stage }: StackStage) => ({ plan: stack.plan, stage, fromStage: fromStageOf(stack, stage) });
  const change = renderStageChange(side(before), side(after), after.stack.name);
  const text = ({ stack, stage }: StackStage, objects: readonly KubeObject[]) =>
    renderedFiles(stack, stage, objects).files.map(({ name, yaml }) => ({ name, yaml }));
  const beforeFiles = text(before, change.before());
  return { before: beforeFiles, after: text(after, change.after()) };
}

/** The stack's fromStage orders gitops sync waves for its own stage; any other stage is reached from the one before it. */
function fromStageOf(stack: Stack, stage: string): string | undefined {
  return stage === stack.stage ? stack.fromStage : undefined;
}

function renderedFiles(stack: Stack, stage: string, objects: readonly KubeObject[]): RenderedStage {
  for (const object of objects) validateObject(object, stack.file);
  return {
    stack: stack.name,
    stage,
    files: objects.map((object) => ({ name: manifestFileName(object), object, yaml: toYaml(object) })),
  };
}
