/**
 * A Kubernetes object as plain JSON: what the constructs render (`toJson()`), what `npm run synth`
 * writes, what the Pulumi program registers and what `stepwise export` hands over. Plain data, so
 * every layer can pass it on without knowing cdk8s or Pulumi.
 */
export interface KubeObject {
  /** e.g. `apps/v1`. */
  readonly apiVersion: string;
  /** e.g. `Deployment`. */
  readonly kind: string;
  /** Name, namespace, labels, annotations. */
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  /** Everything else. */
  readonly [field: string]: unknown;
}
