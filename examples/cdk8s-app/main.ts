/**
 * The cdk8s app: `npx cdk8s synth` (see cdk8s.yaml) or `npx tsx main.ts` writes the manifests of
 * the stage the environment names (`CANARY_IMAGE` unset: the baseline) to `dist/` (or
 * `$CDK8S_OUTDIR`).
 */
import { App } from 'cdk8s';
import { ApiCanaryChart } from './api-canary-chart';

const app = new App();
new ApiCanaryChart(app, 'api', {
  stableImage: 'registry.example.com/shop/api:1.4.0',
  canaryImage: process.env.CANARY_IMAGE,
  canaryReplicas: process.env.CANARY_REPLICAS === undefined ? undefined : Number(process.env.CANARY_REPLICAS),
});
app.synth();
