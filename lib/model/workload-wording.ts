/**
 * How the problems of a workload's keys are worded where zod's words are not stepwise's: each
 * registered with `problemWording` on the part of the workload schema (lib/schema/workload-schema.ts)
 * it words, so that a workload parsed with its schema reports as one read by hand did.
 */
import { z } from 'zod';
import { objectName } from '../schema/common-schemas';
import {
  HOST_PATH_TYPES,
  PRE_STOP_HANDLERS,
  VOLUME_SOURCES,
  annotationMap,
  containerPortSchema,
  envValueSchema,
  volumeSchema,
  cpuSchema,
  disruptionBudgetSchema,
  memorySchema,
  securityOverridesSchema,
  strategySchema,
  PROBE_HANDLERS,
  execCommandSchema,
  probeSchema,
  workloadSchema,
} from '../schema/workload-schema';
import { mapping, nonEmptyString, problemWording, unwrapped } from './schema-problems';
import { MAX_SURGE_PERCENT } from './int-or-percent';
import { objectNameProblem } from './labels';
import { INT32_MAX, closest, describe, isPlainObject } from './plain-data';

/** The Kubernetes type of each volume source passed on as written, checked against the official schema. */
export const PASSED_ON_VOLUME_TYPES = {
  secret: 'SecretVolumeSource',
  persistentVolumeClaim: 'PersistentVolumeClaimVolumeSource',
  projected: 'ProjectedVolumeSource',
} as const;

problemWording.add(objectName, {
  problem: (value) =>
    typeof value === 'string' && value !== ''
      ? (objectNameProblem(value) ?? 'is not a valid name')
      : `must be a non-empty string, got ${describe(value)}`,
  fix: (value) =>
    typeof value === 'string' && value !== ''
      ? 'use lowercase letters, digits and dashes, e.g. fop-gate'
      : 'use a lowercase name such as fop-gate',
});
problemWording.add(containerPortSchema, {
  problem: (value) =>
    typeof value === 'number'
      ? `must be a whole number from 1 to 65535, got ${describe(value)}`
      : `must be a mapping, got ${describe(value)}`,
  fix: (value) => (typeof value === 'number' ? 'use a whole number from 1 to 65535' : 'write it as `key: value` lines'),
});
const containerPortFields = (unwrapped(containerPortSchema.options[1]) as z.ZodObject).shape;
problemWording.add(unwrapped(containerPortFields.name), {
  problem: (value) =>
    typeof value === 'string' && value !== '' ? portNameProblem(value) : `must be a non-empty string, got ${describe(value)}`,
  fix: (value) => (typeof value === 'string' && value !== '' ? 'use a short name such as http' : 'give a non-empty string'),
});
problemWording.add(envValueSchema, {
  problem: (value) => `must be a string or { valueFrom: ... }, got ${describe(value)}`,
  fix: 'quote the value, e.g. PORT: "8080", or write valueFrom: { secretKeyRef: { name, key } }',
});
problemWording.add((unwrapped(annotationMap) as z.ZodRecord<z.ZodString, z.ZodString>).valueType, {
  problem: (value) => `must be a string, got ${describe(value)}`,
  fix: 'quote the value, e.g. "80" or "true"',
});
problemWording.add(unwrapped(volumeSchema), {
  problem: (value) =>
    isPlainObject(value)
      ? `must set exactly one of ${VOLUME_SOURCES.join(', ')} (got ${VOLUME_SOURCES.filter((key) => value[key] !== undefined).length})`
      : `must be a mapping, got ${describe(value)}`,
  fix: (value) => (isPlainObject(value) ? 'e.g. emptyDir: {}' : 'write it as `key: value` lines'),
});
const volumeShape = (unwrapped(volumeSchema) as z.ZodObject).shape;
problemWording.add(unwrapped(volumeShape.mountPath), {
  problem: (value) =>
    typeof value === 'string' && value !== '' ? 'must be an absolute path' : `must be a non-empty string, got ${describe(value)}`,
  fix: (value) => (typeof value === 'string' && value !== '' ? 'start it with /' : 'e.g. /var/log/app'),
});
for (const [key, type] of Object.entries(PASSED_ON_VOLUME_TYPES)) {
  problemWording.add(unwrapped(volumeShape[key]), mapping(`write the Kubernetes ${type} as \`key: value\` lines`));
}
const emptyDirShape = (unwrapped(volumeShape.emptyDir) as z.ZodObject).shape;
problemWording.add(unwrapped(emptyDirShape.sizeLimit), {
  problem: (value) => `must be a memory quantity such as 500Mi, 2Gi, 1.5Gi or 512M, got ${describe(value)}`,
  fix: 'e.g. 500Mi or 2Gi (quote it: sizeLimit: "512M")',
});
const hostPathShape = (unwrapped(volumeShape.hostPath) as z.ZodObject).shape;
problemWording.add(unwrapped(hostPathShape.path), nonEmptyString('the node directory, e.g. /var/log'));
const NAMED_HOST_PATH_TYPES = HOST_PATH_TYPES.filter((t) => t !== '');
problemWording.add(unwrapped(hostPathShape.type), {
  problem: (value) => `must be a Kubernetes HostPathType (${NAMED_HOST_PATH_TYPES.join(', ')}, or "" for no check), got ${describe(value)}`,
  fix: (value) => {
    const suggestion = typeof value === 'string' ? closest(value, NAMED_HOST_PATH_TYPES) : undefined;
    return suggestion ? `did you mean '${suggestion}'?` : `use one of: ${NAMED_HOST_PATH_TYPES.join(', ')}, or leave type out`;
  },
});

problemWording.add(unwrapped(workloadSchema.shape.pod), mapping('write PodSpec fields as `key: value` lines'));
problemWording.add(unwrapped(workloadSchema.shape.containerSpec), mapping('write Container fields as `key: value` lines'));

/** What is wrong with a CPU quantity stepwise does not take. */
export const CPU_PROBLEM = (value: unknown) => `must be a CPU quantity such as 500m or 2, got ${describe(value)}`;
/** How to write a CPU quantity. */
export const CPU_FIX = 'e.g. 500m, 1 or 1.5';
/** What is wrong with a memory quantity stepwise does not take. */
export const MEMORY_PROBLEM = (value: unknown) =>
  `must be a memory quantity in Mi, Gi or Ti, or another Kubernetes quantity such as 512M, 1.5Gi or 1e9, got ${describe(value)}`;
/** How to write a memory quantity. */
export const MEMORY_FIX = 'e.g. 256Mi, 8Gi or 512M';
problemWording.add(cpuSchema, { problem: CPU_PROBLEM, fix: CPU_FIX });
problemWording.add(memorySchema, { problem: MEMORY_PROBLEM, fix: MEMORY_FIX });

const strategyShape = (unwrapped(strategySchema) as z.ZodObject).shape;
problemWording.add(unwrapped(strategySchema), {
  problem: (value) =>
    isPlainObject(value) ? "'maxSurge' and 'maxUnavailable' only apply to type RollingUpdate" : `must be a mapping, got ${describe(value)}`,
  fix: (value) => (isPlainObject(value) ? 'remove them or use type: RollingUpdate' : 'write it as `key: value` lines'),
});
problemWording.add(unwrapped(strategyShape.maxSurge), {
  problem: (value) => intOrPercentProblem(value, MAX_SURGE_PERCENT),
  fix: 'e.g. 1 or "25%"',
});
problemWording.add(unwrapped(strategyShape.maxUnavailable), {
  problem: (value) => intOrPercentProblem(value, 100),
  fix: 'e.g. 1 or "25%"',
});
problemWording.add(unwrapped(disruptionBudgetSchema), mapping('write it as `key: value` lines'));
const budgetOptions = (unwrapped(disruptionBudgetSchema) as z.ZodUnion<[z.ZodLiteral<false>, z.ZodObject]>).options;
problemWording.add(unwrapped(budgetOptions[1].shape.maxUnavailable), {
  problem: (value) => intOrPercentProblem(value, 100),
  fix: 'e.g. 1 or "25%"',
});
const overridesShape = (unwrapped(securityOverridesSchema) as z.ZodObject).shape;
problemWording.add(
  unwrapped(overridesShape.reason),
  nonEmptyString('say why the workload cannot run under the restricted Pod Security Standard'),
);
problemWording.add(unwrapped(overridesShape.runAsUser), {
  problem: (value) => `must be a whole number from 0 to ${INT32_MAX}, got ${describe(value)}`,
  fix: `use a whole number from 0 to ${INT32_MAX}`,
});

const probeFields = probeSchema.shape;
problemWording.add(probeSchema, {
  problem: (value) =>
    isPlainObject(value)
      ? `must set exactly one of ${PROBE_HANDLERS.join(', ')} (got ${PROBE_HANDLERS.filter((key) => value[key] !== undefined).length})`
      : `must be a mapping, got ${describe(value)}`,
  fix: (value) => (isPlainObject(value) ? 'e.g. tcpSocket: { port: 8080 }' : 'write it as `key: value` lines'),
});
problemWording.add(unwrapped(unwrapped(workloadSchema.shape.preStop)), {
  problem: (value) =>
    isPlainObject(value) ? `must set exactly one of ${PRE_STOP_HANDLERS.join(', ')}` : `must be a mapping, got ${describe(value)}`,
  fix: (value) => (isPlainObject(value) ? 'e.g. sleep: { seconds: 10 }' : 'write it as `key: value` lines'),
});
problemWording.add(unwrapped((unwrapped(probeFields.httpGet) as z.ZodObject).shape.path), nonEmptyString('e.g. /healthz'));
problemWording.add(unwrapped((unwrapped(probeFields.grpc) as z.ZodObject).shape.port), {
  problem: (value) =>
    typeof value === 'string'
      ? `must be a port number, got ${describe(value)}`
      : `must be a whole number from 1 to 65535, got ${describe(value)}`,
  fix: (value) =>
    typeof value === 'string'
      ? 'give the number: Kubernetes does not resolve port names for gRPC probes'
      : 'use a whole number from 1 to 65535',
});
problemWording.add(unwrapped(execCommandSchema.shape.command), {
  problem: (value) => (Array.isArray(value) ? 'must list the command to run, got an empty list' : `must be a list, got ${describe(value)}`),
  fix: (value) => (Array.isArray(value) ? 'e.g. command: [cat, /tmp/ready]' : 'write it as `- item` lines'),
});

/** What is wrong with `value` where a count or a percentage up to `maxPercent` belongs. */
export function intOrPercentProblem(value: unknown, maxPercent: number): string {
  const range = typeof value === 'number' && value > INT32_MAX ? `from 0 to ${INT32_MAX}` : '>= 0';
  const percent = maxPercent === 100 ? 'a percentage from "0%" to "100%"' : 'a percentage like "25%"';
  return `must be a whole number ${range} or ${percent}, got ${describe(value)}`;
}

/** What is wrong with a named container port, as the API server sees it. */
export function portNameProblem(name: string): string {
  return `'${name}' must be at most 15 lowercase letters, digits and single '-', with at least one letter`;
}
