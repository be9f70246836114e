/**
 * Reading the `services` section of a plan: its shape comes from the Service schema
 * (lib/schema/plan-schema.ts), parsed once; the rules that span a Service's fields (a name for
 * each of several ports, a node port only where there is one) and the Kubernetes rules on names
 * and labels are checked here, over the parsed values.
 */
import { portRef, labelValue } from '../schema/common-schemas';
import { serviceSchema, servicesSchema } from '../schema/plan-schema';
import { StepwiseError } from './errors';
import { labelProblems, serviceNameProblem, type Labels } from './labels';
import { describe, isPlainObject, type PlainDataReader } from './plain-data';
import type { ReleaseService } from './release-service';
import { parseWithSchema, problemWording, unwrapped } from './schema-problems';

problemWording.add(labelValue, {
  problem: (value) => `must be a string, got ${describe(value)}`,
  fix: 'quote label values, e.g. version: "2"',
});

problemWording.add(portRef, {
  problem: (value) =>
    typeof value === 'string'
      ? `must be a port number from 1 to 65535 or a port name (at most 15 lowercase letters, digits and single '-'), got ${describe(value)}`
      : `must be a whole number from 1 to 65535, got ${describe(value)}`,
  fix: (value) => (typeof value === 'string' ? 'e.g. 8080 or http' : 'use a whole number from 1 to 65535'),
});

problemWording.add(unwrapped(serviceSchema.shape.ports), {
  problem: (value) => (Array.isArray(value) ? 'must list at least one port' : `must be a list, got ${describe(value)}`),
  fix: (value) => (Array.isArray(value) ? 'e.g. - { port: 80, targetPort: 8080 }' : 'write it as `- item` lines'),
});

/**
 * Reads a plan's `services` (`value`), in declaration order; problems go to `r` with key paths
 * relative to the plan. Undefined when there is any.
 */
export function readServices(r: PlainDataReader, value: unknown): ReleaseService[] | undefined {
  const errorsBefore = r.errors.length;
  const names = isPlainObject(value) ? Object.keys(value) : [];
  for (const name of names) {
    const nameProblem = serviceNameProblem(name);
    if (nameProblem)
      r.report(`services.${name}`, nameProblem, 'rename the Service to a lowercase name that starts with a letter, e.g. web');
  }
  const parsed = parseWithSchema(servicesSchema, value, 'services', { size: names.length });
  if ('problems' in parsed) {
    r.reportAll(parsed.problems);
    return undefined;
  }
  // A misnamed Service (`__proto__` is one) is not read further.
  if (r.errors.length > errorsBefore) return undefined;
  if (names.length === 0) {
    r.report('services', 'must declare at least one Service', 'add a Service whose selector matches the workloads');
    return undefined;
  }
  const services = names.map((name) => ({ name, ...parsed.value[name] }) as ReleaseService);
  for (const service of services) r.reportAll(serviceProblems(service));
  return r.errors.length > errorsBefore ? undefined : services;
}

/** What is wrong in one parsed Service beyond its shape: its selector's labels, port names, node ports on a ClusterIP Service. */
function serviceProblems(service: ReleaseService): StepwiseError[] {
  const keyPath = `services.${service.name}`;
  const problems = serviceSelectorProblems(service.selector, `${keyPath}.selector`);
  service.ports.forEach((port, i) => {
    const at = `${keyPath}.ports[${i}]`;
    if (service.ports.length > 1 && port.name === undefined) {
      problems.push(
        new StepwiseError({
          keyPath: `${at}.name`,
          problem: 'is required when a Service has several ports',
          fix: 'name each port, e.g. name: http',
        }),
      );
    }
    if (port.nodePort !== undefined && service.type === 'ClusterIP') {
      problems.push(
        new StepwiseError({
          keyPath: `${at}.nodePort`,
          problem: 'needs a NodePort or LoadBalancer Service',
          fix: 'set type: NodePort on the Service',
        }),
      );
    }
  });
  return problems;
}

/** What is wrong with a Service's selector (its own, or a stage's for it): labels Kubernetes refuses, or none at all. */
export function serviceSelectorProblems(selector: Labels, keyPath: string): StepwiseError[] {
  const problems = labelProblems(selector, keyPath);
  if (problems.length === 0 && Object.keys(selector).length === 0) {
    problems.push(
      new StepwiseError({
        keyPath,
        problem: 'must not be empty (a Service without a selector gets no endpoints from its pods)',
        fix: 'select the shared label, e.g. { app: fop-gate }',
      }),
    );
  }
  return problems;
}
