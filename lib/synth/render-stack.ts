import { renderStage } from '../constructs/release-chart';
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
  // The stack's fromStage orders gitops sync waves for its own stage; any other stage is reached from the one before it.
  const options = stage === stack.stage ? { fromStage: stack.fromStage } : {};
  const objects = extraObjects(renderStage(stack.plan, stage, stack.name, options));
  for (const object of objects) validateObject(object, stack.file);
  return {
    stack: stack.name,
    stage,
    files: objects.map((object) => ({ name: manifestFileName(object), object, yaml: toYaml(object) })),
  };
}
