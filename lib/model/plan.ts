import { RELEASE_KINDS as KINDS, type workloadStateSchema } from '../schema/plan-schema';
import type {
  containerPortSchema,
  envValueSchema,
  preStopSchema,
  probeSchema,
  resourcesSchema,
  securityOverridesSchema,
  strategySchema,
  volumeSchema,
  workloadDefinitionSchema,
} from '../schema/workload-schema';
import type { KubeFields as SchemaKubeFields, PlainValue as SchemaPlainValue } from '../schema/common-schemas';
import type { Analysis } from './analysis-section';
import type { GitOpsSettings } from './gitops-section';
import type { IntOrPercent } from './int-or-percent';
import type { Labels, WorkloadSelector } from './labels';
import type { ReleaseService } from './release-service';
import type { StagePolicy } from './stage-policy';
import type { TrafficRouting } from './traffic-routing';
import type { Parsed } from './parsed';

export type { ReleaseService, ServicePort } from './release-service';

/**
 * The release plan: the types a stack file's `stepwise:plan` is parsed into. Pure data, no
 * cdk8s or Pulumi; everything else in stepwise reads these.
 */

/** Which of the three release practices a plan follows; picks the construct that renders it. */
export type ReleaseKind = (typeof KINDS)[number];

/** The release kinds, in the order they are documented. */
export const RELEASE_KINDS: readonly ReleaseKind[] = KINDS;

/** How a Deployment replaces its pods when the pod template changes: RollingUpdate (with maxSurge / maxUnavailable resolved) or Recreate. The strategy schema's output. */
export type DeploymentStrategy = Parsed<typeof strategySchema>;

/** A container port: its name (referenced by Services and probes, at most 15 characters), the port the process listens on, and the protocol (TCP when left out). The container port schema's output. */
export type ContainerPort = Parsed<typeof containerPortSchema>;

/** A value as a stack file writes it (YAML scalars, lists and mappings), passed on to Kubernetes as it is. */
export type PlainValue = SchemaPlainValue;

/** Fields of a Kubernetes object (a PodSpec, a Container, a volume source) passed on as written, validated against the official schema. */
export type KubeFields = SchemaKubeFields;

/** A container port by number, or by the name of one of the container's ports (`http`). */
export type PortRef = number | string;

/** An environment variable's value: a string, or `valueFrom` a Secret, ConfigMap, field or resource. The env value schema's output. */
export type EnvValue = Parsed<typeof envValueSchema>;

/**
 * How a probe checks the container: exactly one handler (`httpGet` of `path` on `port`,
 * `tcpSocket` connect to `port`, `grpc` health check on a port number, `exec` a command; a port by
 * number or by a container port's name), and its timing (`initialDelaySeconds`, `periodSeconds`,
 * `timeoutSeconds`, `failureThreshold`, `successThreshold`). The probe schema's output.
 */
export type Probe = Parsed<typeof probeSchema>;

/** A `preStop` hook: run a command, call an HTTP endpoint, or sleep, before the container gets SIGTERM. The preStop schema's output. */
export type PreStopHook = Parsed<typeof preStopSchema>;

/**
 * A volume mounted into the container: its name, where it appears (`mountPath`), whether it is
 * mounted read-only, and its one source: an emptyDir, a hostPath (needs the `hostPath` security
 * override), a ConfigMap, a Secret, a PersistentVolumeClaim or a projected volume (the last three
 * as Kubernetes writes them). The volume schema's output.
 */
export type VolumeMount = Parsed<typeof volumeSchema>;

/**
 * Resource requests and limits, as Kubernetes quantities (`500m`, `8196Mi`): `requests` (what the
 * scheduler reserves) and `limits` (what the container may use at most), each with `cpu` and
 * `memory` when set. The resources schema's output.
 */
export type Resources = Parsed<typeof resourcesSchema>;

/**
 * Explicit departures from the restricted Pod Security Standard, defaults resolved: `reason` (shown
 * by `check`), `runAsRoot`, `runAsUser` (the image's user when unset), `writableRootFilesystem`,
 * `addCapabilities` (sorted; restricted allows only NET_BIND_SERVICE) and `hostPath`. Each one is
 * rendered, listed by `stepwise check` as a warning. The security overrides schema's output.
 */
export type SecurityOverrides = Parsed<typeof securityOverridesSchema>;

/**
 * One Deployment of the release: its definition as the workload schema parses it (see
 * docs/stack-file.md for every key), with its name, its pod labels (the plan's common labels
 * too), its selector (its own labels when the file writes none) and its container's name. Its
 * name, labels, selector and Deployment settings are the same in every stage; its pod template
 * may change per stage (see `WorkloadInStage.definition`). `pod` and `containerSpec` are never a
 * field stepwise owns (see `OWNED_POD_FIELDS`, `OWNED_CONTAINER_FIELDS`); `disruptionBudget` is
 * the PodDisruptionBudget's `maxUnavailable`, undefined for none.
 */
export interface Workload extends Omit<WorkloadDefinition, 'container' | 'labels' | 'selector' | 'disruptionBudget'> {
  /** Deployment name; stable across stages (a rename is a delete + create). */
  readonly name: string;
  /** Pod labels: the shared Service label (`app`) and the per-track label (`track`/`version`), and the plan's labels. */
  readonly labels: Labels;
  /** The Deployment's `spec.selector`. Immutable in Kubernetes, so it is not per stage. */
  readonly selector: WorkloadSelector;
  /** Container name. */
  readonly containerName: string;
  /** `maxUnavailable` of the workload's PodDisruptionBudget, or undefined for none. */
  readonly disruptionBudget?: IntOrPercent;
}

/** A workload's definition as the workload schema parses it. */
type WorkloadDefinition = Parsed<typeof workloadDefinitionSchema>;

/** What one workload looks like in one stage: its replicas, its container image, whether the Deployment is paused (a paused Deployment does not roll out template changes), and its definition when the stage changes it. */
export interface WorkloadInStage extends Parsed<typeof workloadStateSchema> {
  /**
   * The workload's definition in this stage when the stage changes its pod template (an env var,
   * a resource limit...): the stage's keys merged over the workload's, as `defaults` are. Undefined
   * when the stage runs the workload as the plan defines it; read it with `definitionIn`.
   */
  readonly definition?: Workload;
}

/** The definition `workload` runs with in a stage where its state is `state`. */
export function definitionIn(workload: Workload, state: WorkloadInStage | undefined): Workload {
  return state?.definition ?? workload;
}

/** One named step of the release. */
export interface Stage {
  /** Stage name, unique in the plan. */
  readonly name: string;
  /** What the step is for, in words. */
  readonly description?: string;
  /**
   * The workloads that exist in this stage; a workload missing here is deleted (or not yet created).
   * `parsePlan` makes it a record without a prototype, so `workloads[name]` is undefined for every
   * name the stage leaves out, `constructor` included.
   */
  readonly workloads: Readonly<Record<string, WorkloadInStage>>;
  /** Each Service's selector in this stage. Every Service of the plan appears. */
  readonly serviceSelectors: Readonly<Record<string, Labels>>;
  /**
   * With a weighted router (`traffic.router` other than `replicas`), the percent of requests each
   * track gets in this stage: every track of the plan, adding up to 100. Undefined for a plan that
   * routes by replicas. Kept on the stage so a stage judged on its own (from another version of
   * the plan, as `diff` and `check` take them) carries its weights with it.
   */
  readonly traffic?: Readonly<Record<string, number>>;
  /**
   * What `stepwise release` does around the stage (`soak`, `approval`, `onFailure`), defaults
   * resolved. `parsePlan` always sets it; a stage built in code may leave it out (`stagePolicies`
   * then gives the defaults).
   */
  readonly policy?: StagePolicy;
}

/** Thresholds `stepwise check` applies to every transition. */
export interface CheckSettings {
  /**
   * The fewest ready endpoints a Service may have during any transition, as a count or a percent
   * (rounded up) of its ready endpoints in the plan's first stage, the baseline the release starts
   * from. When unset: each baseline workload's replicas minus what its maxUnavailable allows
   * (Recreate allows all). See `capacityFloor`.
   */
  readonly capacityFloor?: IntOrPercent;
}

/**
 * A release's workloads, Services and ordered stages: what the plan's sections (`traffic`,
 * `gitops`, `analysis`) are read against while a plan is parsed.
 */
export interface PlanCore {
  /** The practice this plan follows. */
  readonly kind: ReleaseKind;
  /** Namespace of every object. */
  readonly namespace: string;
  /**
   * Whether `pulumi up` creates the namespace (and never deletes it: it may hold more than this
   * release). Set it to false where the namespace is someone else's, e.g. created by a platform
   * team or by Argo CD's `CreateNamespace=true`.
   * @default true
   */
  readonly createNamespace?: boolean;
  /** Labels on every object (team, type, …), besides each object's own. */
  readonly commonLabels: Labels;
  /** Workloads by name, in the order they are declared. */
  readonly workloads: readonly Workload[];
  /** Services by name, in the order they are declared. */
  readonly services: readonly ReleaseService[];
  /** Stages in release order. */
  readonly stages: readonly Stage[];
  /** `stepwise check` settings. */
  readonly checks: CheckSettings;
}

/** A whole release, parsed once from a stack file: its core and every section, typed. */
export interface Plan extends PlanCore {
  /** How requests reach the workloads, and each track's share per stage (the `traffic` section and stage weights). */
  readonly traffic: TrafficRouting;
  /** How rendered stages behave under a GitOps controller (the `gitops` section). */
  readonly gitops: GitOpsSettings;
  /** The metric gate `stepwise gate` and `promote` run; undefined when the plan has none. */
  readonly analysis?: Analysis;
}
