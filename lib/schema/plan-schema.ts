/**
 * The shape of a release plan (a stack file's `stepwise:plan`): workloads, Services, stages and
 * the optional `checks`, `traffic`, `gitops` and `analysis` sections.
 */
import { z } from 'zod';
import { analysisSchema } from './analysis-schema';
import { intOrPercentUpTo, labelMap, objectName, portNumber, portRef, protocol } from './common-schemas';
import { documented } from './documented';
import { stageTrafficSchema, trafficSchema } from './traffic-schema';
import { STAGE_TEMPLATE_KEYS, workloadSchema } from './workload-schema';

/** The `approval` values of a stage: `required`, or `none` (the same as leaving it out). */
export const APPROVAL_VALUES = ['required', 'none'] as const;

/** The `onFailure` values of a stage: go back to the last stage that passed, or stay and stop. */
export const FAILURE_ACTIONS = ['rollback', 'pause'] as const;

/** Which of the three release practices a plan follows, in the order they are documented. */
export const RELEASE_KINDS = ['CanaryService', 'BatchedRollout', 'SelectorCutover'] as const;

const servicePortFields = z.strictObject({
  name: documented(z.string().min(1).optional(), 'Port name; required when the Service has several ports.'),
  port: documented(portNumber, "The Service's port."),
  targetPort: documented(
    portRef.optional(),
    "The pods' port: a number, or the name of a container port every selected workload has (`http`); `port` when left out.",
  ),
  nodePort: documented(z.number().int().min(30000).max(32767).optional(), 'Fixed node port (NodePort and LoadBalancer Services only).'),
  protocol: documented(protocol.default('TCP'), 'TCP, UDP or SCTP.', 'TCP'),
});

/** A Service port; parsed, `targetPort` is `port` when left out. */
export const servicePortSchema = servicePortFields.transform(
  (p): { name?: string; port: number; targetPort: number | string; nodePort?: number; protocol: 'TCP' | 'UDP' | 'SCTP' } => ({
    name: p.name,
    port: p.port,
    targetPort: p.targetPort ?? p.port,
    nodePort: p.nodePort,
    protocol: p.protocol,
  }),
);

/** A Service's ports: at least one. */
export const servicePortsSchema = z.array(servicePortSchema).min(1);

/** A Service in front of the workloads, as a stack file writes it under `services.<name>`. */
export const serviceSchema = z.strictObject({
  type: documented(z.enum(['ClusterIP', 'NodePort', 'LoadBalancer']).default('ClusterIP'), 'The Service type.', 'ClusterIP'),
  selector: documented(labelMap, 'The pod labels selected by stages that do not set their own; not empty.'),
  ports: documented(servicePortsSchema, 'The Service ports.'),
});

/** The Services of a plan, by name. */
export const servicesSchema = z.record(z.string(), serviceSchema);

const stageTemplate = Object.fromEntries(STAGE_TEMPLATE_KEYS.map((key) => [key, workloadSchema.shape[key]])) as Pick<
  typeof workloadSchema.shape,
  (typeof STAGE_TEMPLATE_KEYS)[number]
>;

/** What a stage says of a workload besides its pod template: replicas, image and whether it is paused. */
const workloadStateFields = {
  replicas: documented(z.number().int().min(0).max(2147483647), 'Desired replicas.'),
  image: documented(z.string().min(1).regex(/^\S+$/), 'Container image, with a tag or digest.'),
  paused: documented(z.boolean().default(false), 'A paused Deployment does not roll out template changes.', false),
};

/** What a stage says of a workload besides its pod template, parsed (`paused` false when left out). */
export const workloadStateSchema = z.strictObject(workloadStateFields);

const workloadInStage = z.strictObject({
  ...workloadStateFields,
  // A stage may change the pod template: the workload's keys below, merged over its definition as `defaults` are.
  ...stageTemplate,
});

/** A Service's selector in one stage. */
const stageService = z.strictObject({ selector: documented(labelMap, "The Service's selector in this stage.") });

const stageFields = {
  name: documented(objectName, 'Stage name, unique in the plan (lowercase letters, digits and -).'),
  description: documented(z.string().min(1).optional(), 'What the step is for, in words.'),
  workloads: documented(
    z.record(z.string(), workloadInStage),
    'The workloads that exist in this stage, by name; a workload left out is deleted (or not yet created).',
  ),
  services: documented(
    z.record(z.string(), stageService).optional(),
    "Service selectors that differ from the Service's own in this stage (a cutover).",
  ),
  traffic: documented(
    stageTrafficSchema.optional(),
    'With a weighted router: the percent of requests each track gets; the stable track gets the rest.',
  ),
  soak: documented(
    z.string().regex(/^(?:\d+h)?(?:\d+m)?(?:\d+s)?$/).min(2).optional(),
    '`stepwise release`: how long to wait after the stage is applied and settled before the metric gate is asked (`30s`, `5m`, `1h30m`; at most `24h`).',
    '0s',
  ),
  approval: documented(
    z.enum(APPROVAL_VALUES).optional(),
    '`stepwise release`: `required` makes a person approve the stage before it is applied (`--approve`, `STEPWISE_APPROVE` or an approvals file).',
    'none',
  ),
  onFailure: documented(
    z.enum(FAILURE_ACTIONS).optional(),
    '`stepwise release`: what a failed gate does: roll back stage by stage to the last good one, or stay and stop.',
    'rollback',
  ),
};

const stage = z.strictObject(stageFields);

/**
 * A stage as a plan is parsed: every key's shape but those read against the rest of the plan
 * once the stage is, and left as written here: each workload's pod template keys (merged over the
 * workload's own, then parsed as a workload) and the `traffic` weights (read with the `traffic`
 * section).
 */
export const stageAsWrittenSchema = z.strictObject({
  ...stageFields,
  workloads: z.record(
    z.string(),
    z.strictObject({
      ...workloadStateFields,
      ...(Object.fromEntries(STAGE_TEMPLATE_KEYS.map((key) => [key, z.unknown().optional()])) as Record<(typeof STAGE_TEMPLATE_KEYS)[number], z.ZodOptional<z.ZodUnknown>>),
    }),
  ),
  traffic: z.unknown().optional(),
});

/** The stages of a plan as it is parsed: at least one. */
export const stagesAsWrittenSchema = z.array(stageAsWrittenSchema).min(1);

/** A plan's `checks` section: thresholds `stepwise check` applies to every transition. */
export const checksSchema = z.strictObject({
  capacityFloor: documented(
    intOrPercentUpTo(100).optional(),
    "The fewest ready endpoints a Service may have during any transition, as a count or a percent of the first stage's; each baseline workload's replicas minus what its maxUnavailable allows when left out.",
  ),
});

/** A plan's `gitops` section: how rendered stages behave when Argo CD applies them. */
export const gitOpsSchema = z.strictObject({
  syncWaves: documented(
    z.boolean().optional(),
    "Annotate every object with an Argo CD sync wave, so a sync keeps the stage's make-before-break order.",
    false,
  ),
});

/** A release plan as a stack file writes it under `stepwise:plan`. */
export const planSchema = z.strictObject({
  kind: documented(z.enum(RELEASE_KINDS), 'The release practice the plan follows; picks the construct that renders it.'),
  namespace: documented(objectName, 'Namespace of every object.'),
  createNamespace: documented(
    z.boolean().optional(),
    "Whether `pulumi up` creates the namespace (and never deletes it). False where the namespace is someone else's.",
    true,
  ),
  labels: documented(labelMap.optional(), 'Labels on every object (team, type, ...), besides its own.'),
  defaults: documented(
    workloadSchema.optional(),
    'Workload keys every workload inherits; its own keys win, labels/env/podAnnotations merge key by key.',
  ),
  workloads: documented(
    z.record(z.string(), workloadSchema.nullable()),
    'The Deployments of the release by name, in declaration order (at least one).',
  ),
  services: documented(servicesSchema, 'The Services in front of the workloads, by name (at least one).'),
  stages: documented(z.array(stage).min(1), 'The steps of the release, in order; the first is the baseline the release starts from.'),
  checks: documented(checksSchema.optional(), '`stepwise check` settings.'),
  traffic: documented(trafficSchema.optional(), 'Which router sends requests to the workloads.', { router: 'replicas' }),
  analysis: documented(analysisSchema.nullable().optional(), 'The metric gate `stepwise gate` and `promote` run; no gate when left out.'),
  gitops: documented(gitOpsSchema.optional(), 'How rendered stages behave under a GitOps controller (Argo CD).'),
});

/** A release plan as a stack file writes it (the input type of {@link planSchema}). */
export type PlanData = z.input<typeof planSchema>;

/** The keys of a plan. */
export const PLAN_KEYS: readonly string[] = Object.keys(planSchema.shape);
/** The keys of a Service. */
export const SERVICE_KEYS: readonly string[] = Object.keys(serviceSchema.shape);
/** The keys of a Service port. */
export const SERVICE_PORT_KEYS: readonly string[] = Object.keys(servicePortFields.shape);
/** The keys of a stage. */
export const STAGE_KEYS: readonly string[] = Object.keys(stage.shape);
/** The keys of a workload in a stage: replicas, image, paused and the pod template keys a stage may change. */
export const STAGE_WORKLOAD_KEYS: readonly string[] = Object.keys(workloadInStage.shape);
