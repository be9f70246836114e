/**
 * stepwise: staged Kubernetes releases as cdk8s constructs.
 *
 * - the stack file's schema (zod), its inferred input types and its published JSON Schema: `lib/schema`;
 * - the pure model (plan parsing, endpoints, traffic share, transition capacity): `lib/model`;
 * - the constructs that render one stage (`CanaryService`, `BatchedRollout`, `SelectorCutover`): `lib/constructs`;
 * - stack files and rendering to validated YAML: `lib/stacks`, `lib/synth`;
 * - traffic routing (ingress-nginx, Gateway API, SMI weights) and sync waves: `lib/routing`;
 * - hand-over to Argo Rollouts or Flagger: `lib/export`;
 * - what `stepwise check` and `stepwise diff` report: `lib/review`;
 * - the metric gate: `lib/gate` (its JSON form is `gateReportJson`, to keep `toJson` free).
 *
 * The Pulumi components live in `lib/pulumi/components` and are not re-exported here, so that
 * importing stepwise does not load @pulumi/pulumi; never import `lib/pulumi/index`, it is the program.
 */
export { planSchema, stackFileSchema, stackFileJsonSchema, type PlanData, type StackFileData } from './schema';
export * from './model';
export * from './constructs';
export * from './stacks';
export { renderStackStage, manifestFileName, type ManifestFile, type RenderedStage } from './synth/render-stack';
export { toYaml, toYamlStream } from './synth/yaml-emitter';
export { validateObject, registerSchema } from './synth/schema-validation';
export * from './routing';
export * from './export';
export { checkPlan, checkStagePair, type CheckOptions } from './review/check';

export { stageDiff } from './review/diff-stages';
export {
  parseAnalysis,
  runGate,
  gateTargetForStage,
  formatGateReport,
  toJson as gateReportJson,
  gateExitCode,
  type Analysis,
  type GateReport,
  type GateTarget,
} from './gate';
