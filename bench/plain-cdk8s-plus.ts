import { ApiObject, App, Chart, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { SYNTHETIC_DEFAULTS, syntheticApps, syntheticWorkloadState, type SyntheticShape } from './synthetic-stack';

/**
 * The benchmark's baseline: the objects of a synthetic stack written by hand with plain
 * cdk8s-plus-27, the way a user without stepwise would — one Chart per Service (its Deployments,
 * PodDisruptionBudgets and the Service) in one App, rendered with `app.synthYaml()`. The objects
 * are the same as stepwise renders (run.ts checks that at a small size), so only the path differs.
 */
export function plainCdk8sPlusYaml(shape: SyntheticShape, workloads: number, stage: number): string {
  const app = new App({ outdir: '.' });
  const d = SYNTHETIC_DEFAULTS;
  for (const service of syntheticApps(shape, workloads)) {
    const chart = new Chart(app, service.name, { disableResourceNameHashes: true });
    const managedBy = { 'app.kubernetes.io/managed-by': 'stepwise' };
    service.workloads.forEach((w, index) => {
      const podLabels = { app: service.name, team: 'bench', ...w.track };
      const selector = { app: service.name, ...w.track };
      const { replicas, image } = syntheticWorkloadState(shape, stage, service.name, index);
      const deployment = new kplus.Deployment(chart, `${w.name}-deployment`, {
        metadata: { name: w.name, namespace: 'bench', labels: { ...podLabels, ...managedBy } },
        replicas,
        select: false,
        podMetadata: { labels: podLabels, annotations: {} },
        minReady: Duration.seconds(d.minReadySeconds),
        progressDeadline: Duration.seconds(600),
        strategy: kplus.DeploymentStrategy.rollingUpdate({
          maxSurge: kplus.PercentOrAbsolute.absolute(1),
          maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
        }),
        terminationGracePeriod: Duration.seconds(d.terminationGracePeriodSeconds),
        securityContext: { ensureNonRoot: true },
        containers: [],
      });
      deployment.select(kplus.LabelSelector.of({ labels: selector }));
      const container = deployment.addContainer({
        name: 'main',
        image,
        imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
        ports: [{ number: 8080, name: 'http', protocol: kplus.Protocol.TCP }],
        envVariables: {
          JAVA_OPTS: kplus.EnvValue.fromValue(d.env.JAVA_OPTS),
          LOG_FORMAT: kplus.EnvValue.fromValue(d.env.LOG_FORMAT),
        },
        resources: {
          cpu: { request: kplus.Cpu.millis(500), limit: kplus.Cpu.units(1) },
          memory: { request: Size.gibibytes(1), limit: Size.gibibytes(1) },
        },
        readiness: kplus.Probe.fromHttpGet('/healthz', { port: 8080, periodSeconds: Duration.seconds(5), failureThreshold: 3 }),
        liveness: kplus.Probe.fromHttpGet('/healthz', {
          port: 8080,
          initialDelaySeconds: Duration.seconds(30),
          periodSeconds: Duration.seconds(10),
        }),
        lifecycle: { preStop: kplus.Handler.fromCommand(['/bin/sh', '-c', 'sleep 15']) },
        securityContext: { ensureNonRoot: true, privileged: false, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true },
      });
      container.mount('/tmp', kplus.Volume.fromEmptyDir(chart, `${w.name}-tmp`, 'tmp'), { readOnly: false });
      const object = ApiObject.of(deployment);
      object.addJsonPatch(JsonPatch.remove('/spec/template/metadata/labels/cdk8s.io~1metadata.addr'));
      object.addJsonPatch(JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }));
      object.addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/securityContext/capabilities', { drop: ['ALL'] }));
      object.addJsonPatch(JsonPatch.add('/spec/revisionHistoryLimit', 10));
      new ApiObject(chart, `${w.name}-pdb`, {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: { name: w.name, namespace: 'bench', labels: { ...podLabels, ...managedBy } },
        spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
      });
    });
    const svc = new kplus.Service(chart, 'service', {
      metadata: { name: service.name, namespace: 'bench', labels: { team: 'bench', ...managedBy } },
      type: kplus.ServiceType.CLUSTER_IP,
      ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: kplus.Protocol.TCP }],
    });
    svc.selectLabel('app', service.name);
  }
  return app.synthYaml();
}
