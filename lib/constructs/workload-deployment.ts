import { ApiObject, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { Plan, Probe, RunningWorkload, Workload } from '../model';
import { POD_SECCOMP_PROFILE, containerCapabilities, containerSecurityContext, podSecurityContext } from './pod-security';
import { cpuQuantity, memoryQuantity } from './quantities';

/** Props of {@link WorkloadDeployment}. */
export interface WorkloadDeploymentProps {
  /** The plan the workload belongs to (namespace, common labels). */
  readonly plan: Plan;
  /** The workload and its replicas, image and paused flag in the stage being rendered. */
  readonly running: RunningWorkload;
  /**
   * The stage that brought in the pod template this stage runs (see {@link templateStage}),
   * recorded in the Deployment's `kubernetes.io/change-cause` annotation so that
   * `kubectl rollout history` names the stage that made each revision.
   */
  readonly stage: string;
}

/** The annotation `kubectl rollout history` shows as a revision's CHANGE-CAUSE. */
export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';

/**
 * The change-cause of a Deployment whose pod template `stage` brought in: the Deployment
 * controller copies it to the ReplicaSet of the current revision. Only a stage's name, so a stage
 * renders the same every time (a second `pulumi up` changes nothing, synth output is deterministic).
 */
export function changeCause(stage: string): string {
  return `stepwise: stage ${stage}`;
}

/**
 * The stage that brought in the pod template `workload` runs at `stageIndex`: the first of the
 * stages up to it in which the workload exists with the same image without a break. A stage that
 * leaves a workload's image alone leaves its Deployment unchanged, annotation included, and a
 * revision keeps the name of the stage that made it.
 */
export function templateStage(plan: Plan, workload: string, stageIndex: number): string {
  const image = plan.stages[stageIndex].workloads[workload]?.image;
  let first = stageIndex;
  while (first > 0 && plan.stages[first - 1].workloads[workload]?.image === image) first--;
  return plan.stages[first].name;
}

/** Label cdk8s-plus puts on every pod; stepwise selects pods by the plan's labels only. */
const CDK8S_ADDRESS_LABEL_PATH = '/spec/template/metadata/labels/cdk8s.io~1metadata.addr';

/** Labels stepwise puts on the objects it renders (not on pods, so adopting stepwise rolls nothing). */
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'stepwise' } as const;

/**
 * One workload of a plan in one stage: a Deployment whose name and selector never change across
 * stages, and its PodDisruptionBudget.
 */
export class WorkloadDeployment extends Construct {
  /** The rendered Deployment. */
  readonly deployment: kplus.Deployment;
  /** The PodDisruptionBudget, when the workload has one. */
  readonly disruptionBudget?: ApiObject;

  constructor(scope: Construct, id: string, props: WorkloadDeploymentProps) {
    super(scope, id);
    const { plan, running } = props;
    const { workload, state } = running;
    const objectLabels = { ...plan.commonLabels, ...workload.labels, ...MANAGED_BY };

    this.deployment = new kplus.Deployment(this, 'Deployment', {
      // On the Deployment, not its pod template: a new stage name alone must not roll pods.
      metadata: {
        name: workload.name,
        namespace: plan.namespace,
        labels: objectLabels,
        annotations: { [CHANGE_CAUSE_ANNOTATION]: changeCause(props.stage) },
      },
      replicas: state.replicas,
      select: false,
      podMetadata: { labels: { ...workload.labels }, annotations: { ...workload.podAnnotations } },
      minReady: Duration.seconds(workload.minReadySeconds),
      progressDeadline: Duration.seconds(workload.progressDeadlineSeconds),
      strategy: deploymentStrategy(workload),
      terminationGracePeriod: Duration.seconds(workload.terminationGracePeriodSeconds),
      securityContext: podSecurityContext(workload),
      containers: [],
    });
    this.deployment.select(
      kplus.LabelSelector.of({
        labels: { ...workload.selector.matchLabels },
        expressions: workload.selector.matchExpressions.map((e) => labelExpression(e.key, e.operator, [...e.values])),
      }),
    );
    const container = this.deployment.addContainer({
      name: workload.containerName,
      image: state.image,
      imagePullPolicy: workload.imagePullPolicy as kplus.ImagePullPolicy,
      ports: workload.ports.map((p) => ({ number: p.containerPort, name: p.name, protocol: p.protocol as kplus.Protocol })),
      command: workload.command ? [...workload.command] : undefined,
      args: workload.args ? [...workload.args] : undefined,
      envVariables: Object.fromEntries(
        Object.keys(workload.env)
          .sort()
          .map((k) => [k, kplus.EnvValue.fromValue(workload.env[k])]),
      ),
      resources: {
        cpu: { request: opt(workload.resources.requests.cpu, cpuQuantity), limit: opt(workload.resources.limits.cpu, cpuQuantity) },
        memory: {
          request: opt(workload.resources.requests.memory, memoryQuantity),
          limit: opt(workload.resources.limits.memory, memoryQuantity),
        },
      },
      readiness: opt(workload.readinessProbe, toProbe),
      liveness: opt(workload.livenessProbe, toProbe),
      startup: opt(workload.startupProbe, toProbe),
      lifecycle: workload.preStop
        ? {
            preStop:
              'exec' in workload.preStop
                ? kplus.Handler.fromCommand([...workload.preStop.exec.command])
                : kplus.Handler.fromHttpGet(workload.preStop.httpGet.path, { port: workload.preStop.httpGet.port }),
          }
        : undefined,
      securityContext: containerSecurityContext(workload),
    });
    for (const volume of workload.volumes) {
      container.mount(volume.mountPath, this.volume(volume), { readOnly: volume.readOnly });
    }

    const deploymentObject = ApiObject.of(this.deployment);
    deploymentObject.addJsonPatch(JsonPatch.remove(CDK8S_ADDRESS_LABEL_PATH));
    deploymentObject.addJsonPatch(JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', POD_SECCOMP_PROFILE));
    deploymentObject.addJsonPatch(
      JsonPatch.add('/spec/template/spec/containers/0/securityContext/capabilities', containerCapabilities(workload)),
    );
    deploymentObject.addJsonPatch(JsonPatch.add('/spec/revisionHistoryLimit', workload.revisionHistoryLimit));
    if (state.paused) deploymentObject.addJsonPatch(JsonPatch.add('/spec/paused', true));

    if (workload.disruptionBudget !== undefined) {
      this.disruptionBudget = new ApiObject(this, 'DisruptionBudget', {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: { name: workload.name, namespace: plan.namespace, labels: objectLabels },
        spec: {
          maxUnavailable: workload.disruptionBudget,
          selector: {
            matchLabels: { ...workload.selector.matchLabels },
            ...(workload.selector.matchExpressions.length > 0
              ? {
                  matchExpressions: workload.selector.matchExpressions.map((e) => ({
                    key: e.key,
                    operator: e.operator,
                    values: e.values.length ? [...e.values] : undefined,
                  })),
                }
              : {}),
          },
        },
      });
    }
  }

  private volume(volume: Workload['volumes'][number]): kplus.Volume {
    const source = volume.source;
    if ('emptyDir' in source) {
      return kplus.Volume.fromEmptyDir(this, `volume-${volume.name}`, volume.name, {
        medium: source.emptyDir.medium === 'Memory' ? kplus.EmptyDirMedium.MEMORY : undefined,
        sizeLimit: opt(source.emptyDir.sizeLimit, memoryQuantity),
      });
    }
    if ('hostPath' in source) {
      return kplus.Volume.fromHostPath(this, `volume-${volume.name}`, volume.name, {
        path: source.hostPath.path,
        type: (source.hostPath.type ?? '') as kplus.HostPathVolumeType,
      });
    }
    const configMap = kplus.ConfigMap.fromConfigMapName(this, `configmap-${volume.name}`, source.configMap.name);
    return kplus.Volume.fromConfigMap(this, `volume-${volume.name}`, configMap, { name: volume.name });
  }
}

function deploymentStrategy(workload: Workload): kplus.DeploymentStrategy {
  const strategy = workload.strategy;
  if (strategy.type === 'Recreate') return kplus.DeploymentStrategy.recreate();
  const amount = (v: number | string) =>
    typeof v === 'number' ? kplus.PercentOrAbsolute.absolute(v) : kplus.PercentOrAbsolute.percent(Number(v.slice(0, -1)));
  return kplus.DeploymentStrategy.rollingUpdate({ maxSurge: amount(strategy.maxSurge), maxUnavailable: amount(strategy.maxUnavailable) });
}

function labelExpression(key: string, operator: string, values: string[]): kplus.LabelExpression {
  switch (operator) {
    case 'In':
      return kplus.LabelExpression.in(key, values);
    case 'NotIn':
      return kplus.LabelExpression.notIn(key, values);
    case 'Exists':
      return kplus.LabelExpression.exists(key);
    default:
      return kplus.LabelExpression.doesNotExist(key);
  }
}

function toProbe(probe: Probe): kplus.Probe {
  const options = {
    initialDelaySeconds: opt(probe.initialDelaySeconds, Duration.seconds),
    periodSeconds: opt(probe.periodSeconds, Duration.seconds),
    timeoutSeconds: opt(probe.timeoutSeconds, Duration.seconds),
    failureThreshold: probe.failureThreshold,
    successThreshold: probe.successThreshold,
  };
  if (probe.httpGet) return kplus.Probe.fromHttpGet(probe.httpGet.path, { ...options, port: probe.httpGet.port });
  if (probe.tcpSocket) return kplus.Probe.fromTcpSocket({ ...options, port: probe.tcpSocket.port });
  return kplus.Probe.fromCommand([...(probe.exec?.command ?? [])], options);
}

function opt<T, R>(value: T | undefined, convert: (value: T) => R): R | undefined {
  return value === undefined ? undefined : convert(value);
}
