/**
 * stepwise: staged Kubernetes releases as cdk8s constructs.
 *
 * - the pure model (plan parsing, endpoints, traffic share, transition capacity): `lib/model`;
 * - the constructs that render one stage (`CanaryService`, `BatchedRollout`, `SelectorCutover`): `lib/constructs`;
 * - stack files and rendering to validated YAML: `lib/stacks`, `lib/synth`.
 */
export * from './model';
export * from './constructs';
export * from './stacks';
export { renderStackStage, manifestFileName, type ManifestFile, type RenderedStage } from './synth/render-stack';
export { toYaml, toYamlStream } from './synth/yaml-emitter';
export { validateObject, registerSchema } from './synth/schema-validation';
