/**
 * The Deployments, PodDisruptionBudgets and Services of one stage of a plan that stepwise refuses,
 * rendered by the same constructs `render` uses but without the check in front of them
 * (`ReleaseStage` throws on any API-server rule). Only the validation differential test wants
 * this: to show that what `check` refuses, the API server refuses too.
 */
import { App, Chart, JsonPatch, ApiObject } from 'cdk8s';
import type { KubeObject } from '../../lib/constructs/release-chart';
import { ReleaseServiceObject } from '../../lib/constructs/release-service';
import { templateStage, WorkloadDeployment } from '../../lib/constructs/workload-deployment';
import { findStage, stageState, type Plan } from '../../lib/model';

/**
 * The stage's workload and Service objects (no traffic router objects, no sync waves). cdk8s-plus
 * itself refuses two container ports with one name or one number and protocol, so the ports go
 * into the rendered container afterwards, in the shape cdk8s-plus writes them.
 */
export function renderWithoutChecks(plan: Plan, stage: string): KubeObject[] {
  const app = new App({ outdir: '.' });
  const chart = new Chart(app, 'release', { disableResourceNameHashes: true });
  const state = stageState(plan, findStage(plan, stage).index);
  for (const running of state.workloads) {
    const { workload } = running;
    const rendered = new WorkloadDeployment(chart, `workload-${workload.name}`, {
      plan,
      running: { ...running, workload: { ...workload, ports: [] } },
      stage: templateStage(plan, workload.name, state.index),
    });
    if (workload.ports.length > 0) {
      const ports = workload.ports.map((p) => ({
        containerPort: p.containerPort,
        ...(p.name ? { name: p.name } : {}),
        protocol: p.protocol,
      }));
      ApiObject.of(rendered.deployment).addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/ports', ports));
    }
  }
  for (const service of state.services) new ReleaseServiceObject(chart, `service-${service.service.name}`, { plan, service });
  return chart.toJson() as KubeObject[];
}
