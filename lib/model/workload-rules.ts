/**
 * The rules of a workload that its schema cannot say, checked over its parsed definition: exact
 * quantities and their bounds, rollout bounds, port names, Kubernetes fields passed on, volumes,
 * selectors. Each returns its problems with key paths.
 */
import { z } from 'zod';
import { CPU_QUANTITY, MEMORY_REQUEST_QUANTITY, PORT_NAME, workloadDefinitionSchema } from '../schema/workload-schema';
import { StepwiseError } from './errors';
import { isAlwaysZero } from './int-or-percent';
import { labelKeyProblem, labelProblems, labelValueProblem, type WorkloadSelector } from './labels';
import { cpuMillicores, memoryMebibytes, MAX_CPU_MILLICORES, MAX_MEMORY_MEBIBYTES } from './quantities';
import { fragmentProblems } from './pod-passthrough';
import { describe, hasOwnKey, isPlainObject } from './plain-data';
import { type KubeFields } from './plan';
import { CPU_FIX, CPU_PROBLEM, MEMORY_FIX, MEMORY_PROBLEM, PASSED_ON_VOLUME_TYPES, portNameProblem } from './workload-wording';

/** A workload definition as parsed so far. */
export type ParsedDefinition = z.output<typeof workloadDefinitionSchema>;

/**
 * What is wrong in a parsed definition's resources, strategy, disruption budget and security
 * overrides beyond their shape: a quantity stepwise cannot write exactly or that is zero or too
 * large, no request, a rollout that could never progress, a budget that blocks every drain, root
 * by user ID alone.
 */
export function deploymentSettingProblems(definition: ParsedDefinition, at: (key: string) => string): StepwiseError[] {
  const problems: StepwiseError[] = [];
  const report = (keyPath: string, problem: string, fix: string) => problems.push(new StepwiseError({ keyPath, problem, fix }));
  const { resources, strategy, disruptionBudget, securityOverrides } = definition;
  for (const side of ['requests', 'limits'] as const) {
    const amounts = resources[side];
    const keyPath = `${at('resources')}.${side}`;
    // A number is checked as the quantity it writes (1e-7 cores is no quantity).
    if (amounts.cpu !== undefined) {
      if (!CPU_QUANTITY.test(amounts.cpu) || /^0+(m)?$/.test(amounts.cpu)) report(`${keyPath}.cpu`, CPU_PROBLEM(amounts.cpu), CPU_FIX);
      else problems.push(...cpuBoundProblems(amounts.cpu, `${keyPath}.cpu`));
    }
    if (amounts.memory !== undefined) {
      if (!MEMORY_REQUEST_QUANTITY.test(amounts.memory) || memoryMebibytes(amounts.memory) === 0)
        report(`${keyPath}.memory`, MEMORY_PROBLEM(amounts.memory), MEMORY_FIX);
      else problems.push(...memoryBoundProblems(amounts.memory, `${keyPath}.memory`));
    }
  }
  if (resources.requests.cpu === undefined && resources.requests.memory === undefined) {
    report(
      `${at('resources')}.requests`,
      'must request cpu or memory (the scheduler needs requests to place pods safely)',
      'add requests: { cpu: 100m, memory: 128Mi }',
    );
  }
  if (strategy.type === 'RollingUpdate' && isAlwaysZero(strategy.maxSurge) && isAlwaysZero(strategy.maxUnavailable)) {
    report(
      at('strategy'),
      "'maxSurge' and 'maxUnavailable' cannot be both zero (Kubernetes rejects it: the rollout could never progress)",
      'set maxSurge: 1 to add a pod before removing one',
    );
  }
  if (disruptionBudget !== undefined && isAlwaysZero(disruptionBudget)) {
    report(
      `${at('disruptionBudget')}.maxUnavailable`,
      'is zero, which blocks every node drain',
      'use 1, or disruptionBudget: false for none',
    );
  }
  if (securityOverrides?.runAsUser === 0 && !securityOverrides.runAsRoot) {
    report(
      `${at('securityOverrides')}.runAsUser`,
      'is 0 (root) but runAsRoot is not set',
      'set runAsRoot: true as well, or use a non-zero UID',
    );
  }
  return problems;
}

/**
 * What is wrong in a parsed definition's container beyond its shape: a port name the API server
 * refuses, an environment variable's `valueFrom` or an `envFrom` source Kubernetes would not take.
 */
export function containerProblems(definition: ParsedDefinition, at: (key: string) => string): StepwiseError[] {
  const problems: StepwiseError[] = [];
  definition.ports.forEach((port, i) => {
    // An IANA service name, as the API server checks it: no '--' either.
    if (port.name !== undefined && !PORT_NAME.test(port.name)) {
      problems.push(
        new StepwiseError({
          keyPath: `${at('ports')}[${i}].name`,
          problem: portNameProblem(port.name),
          fix: 'use a short name such as http',
        }),
      );
    }
  });
  const container = definition.container;
  for (const [key, value] of Object.entries(definition.env)) {
    if (typeof value === 'string') continue;
    problems.push(
      ...fragmentProblems(value.valueFrom, 'EnvVarSource', `${at('env')}.${key}.valueFrom`, {
        kind: 'Container',
        object: { name: container, env: [{ name: key, valueFrom: value.valueFrom }] },
        prefix: '/env/0/valueFrom',
      }),
    );
  }
  if (definition.envFrom) {
    problems.push(
      ...fragmentProblems(definition.envFrom, 'EnvFromSource[]', at('envFrom'), {
        kind: 'Container',
        object: { name: container, envFrom: definition.envFrom },
        prefix: '/envFrom',
      }),
    );
  }
  return problems;
}

/**
 * What is wrong in parsed volumes beyond their shape: two with one name, a size limit or node path
 * Kubernetes refuses, a hostPath without the override, a Secret, PVC or projected source the
 * official schema refuses. Key paths under `keyPath`, the workload's `volumes`.
 */
export function volumeProblems(volumes: ParsedDefinition['volumes'], keyPath: string, allowsHostPath: boolean): StepwiseError[] {
  const problems: StepwiseError[] = [];
  const report = (at: string, problem: string, fix: string) => problems.push(new StepwiseError({ keyPath: at, problem, fix }));
  const seen = new Set<string>();
  volumes.forEach((volume, i) => {
    const at = `${keyPath}[${i}]`;
    if (seen.has(volume.name)) report(`${at}.name`, `'${volume.name}' is used by another volume`, 'give each volume its own name');
    seen.add(volume.name);
    const source = volume.source;
    if ('emptyDir' in source && source.emptyDir.sizeLimit !== undefined) {
      problems.push(...memoryBoundProblems(source.emptyDir.sizeLimit, `${at}.emptyDir.sizeLimit`));
    }
    if ('hostPath' in source) {
      if (source.hostPath.path.split('/').includes('..')) {
        report(
          `${at}.hostPath.path`,
          `must not contain a '..' element, got ${describe(source.hostPath.path)}`,
          'name the directory itself, e.g. /var/log',
        );
      }
      if (!allowsHostPath) {
        report(
          `${at}.hostPath`,
          'is forbidden by the restricted Pod Security Standard',
          'add securityOverrides: { hostPath: true, reason: "..." } to the workload if the node path is really needed',
        );
      }
    }
    for (const [key, type] of Object.entries(PASSED_ON_VOLUME_TYPES)) {
      const fields = (source as Record<string, KubeFields>)[key];
      if (fields === undefined) continue;
      problems.push(
        ...fragmentProblems(fields, type, `${at}.${key}`, {
          kind: 'PodSpec',
          object: { containers: [{ name: 'main' }], volumes: [{ name: 'volume', [key]: fields }] },
          prefix: `/volumes/0/${key}`,
        }),
      );
    }
  });
  return problems;
}

/** True when a selector is written with `matchLabels` or `matchExpressions` rather than as plain labels. */
export function isStructuredSelector(written: unknown): boolean {
  return isPlainObject(written) && (hasOwnKey(written, 'matchLabels') || hasOwnKey(written, 'matchExpressions'));
}

/**
 * What is wrong in a parsed Deployment selector beyond its shape: labels Kubernetes refuses,
 * values that do not fit their operator, or nothing selected at all. Key paths under `keyPath`.
 */
export function workloadSelectorProblems(selector: WorkloadSelector, keyPath: string, structured: boolean): StepwiseError[] {
  const problems = labelProblems(selector.matchLabels, structured ? `${keyPath}.matchLabels` : keyPath);
  const report = (at: string, problem: string, fix: string) => problems.push(new StepwiseError({ keyPath: at, problem, fix }));
  selector.matchExpressions.forEach(({ key, operator, values }, i) => {
    const at = `${keyPath}.matchExpressions[${i}]`;
    const keyProblem = labelKeyProblem(key);
    if (keyProblem) report(`${at}.key`, keyProblem, 'select on a label key of the pods, e.g. track');
    values.forEach((value, j) => {
      const problem = labelValueProblem(value);
      if (problem) report(`${at}.values[${j}]`, problem, 'use label values of the pods, e.g. stable');
    });
    if ((operator === 'In' || operator === 'NotIn') && values.length === 0) {
      report(`${at}.values`, `must not be empty for operator ${operator}`, 'list at least one value');
    }
    if ((operator === 'Exists' || operator === 'DoesNotExist') && values.length > 0) {
      report(`${at}.values`, `must be empty for operator ${operator}`, 'remove values');
    }
  });
  if (problems.length === 0 && Object.keys(selector.matchLabels).length === 0 && selector.matchExpressions.length === 0) {
    report(keyPath, 'must not be empty (an empty selector selects every pod in the namespace)', 'select on the workload labels');
  }
  return problems;
}

/** A problem when a CPU quantity is more than {@link MAX_CPU_MILLICORES}. */
function cpuBoundProblems(quantity: string, keyPath: string): StepwiseError[] {
  if (cpuMillicores(quantity) <= MAX_CPU_MILLICORES) return [];
  return [
    new StepwiseError({
      keyPath,
      problem: `must be at most ${MAX_CPU_MILLICORES}m (${MAX_CPU_MILLICORES / 1000} cores), got ${describe(quantity)}`,
      fix: 'give the CPU the container needs, e.g. 500m or 4',
    }),
  ];
}

/** A problem when a memory quantity is more than {@link MAX_MEMORY_MEBIBYTES}. */
function memoryBoundProblems(quantity: string, keyPath: string): StepwiseError[] {
  if (memoryMebibytes(quantity) <= MAX_MEMORY_MEBIBYTES) return [];
  return [
    new StepwiseError({
      keyPath,
      problem: `must be at most ${MAX_MEMORY_MEBIBYTES}Mi (${Math.floor(MAX_MEMORY_MEBIBYTES / 1024 ** 2)}Ti), got ${describe(quantity)}`,
      fix: 'give the memory the container needs, e.g. 512Mi or 8Gi',
    }),
  ];
}
