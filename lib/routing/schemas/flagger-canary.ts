/**
 * The OpenAPI schema of Flagger's `Canary` CRD, version `flagger.app/v1beta1`.
 *
 * Source: https://github.com/fluxcd/flagger/blob/023004dabdcb8b7077e56947321f214d581264cc/artifacts/flagger/crd.yaml
 * (`canaries.flagger.app`, `spec.versions[0].schema.openAPIV3Schema`). Copied unchanged for every
 * field `stepwise export --to flagger` can write; left out are the fields it never writes (the
 * Istio, App Mesh, Gloo and APISIX settings under `spec.service`, `autoscalerRef`, `routeRef`,
 * `upstreamRef`, `analysis.match`, `alerts`, `webhooks`, `sessionAffinity`, and `status`). With
 * unknown fields rejected (as `kubectl apply --validate=strict` does), writing a left-out field
 * fails validation instead of passing unchecked.
 */
export const FLAGGER_CANARY_V1BETA1_SCHEMA = {
  description: 'Canary is the Schema for the Canary API.',
  type: 'object',
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
    spec: {
      description: 'CanarySpec defines the desired state of a Canary.',
      type: 'object',
      required: ['targetRef', 'analysis'],
      properties: {
        provider: {
          description: 'Traffic managent provider',
          type: 'string',
          enum: [
            'apisix',
            'appmesh',
            'appmesh:v1beta2',
            'contour',
            'gatewayapi:v1',
            'gatewayapi:v1beta1',
            'gloo',
            'istio',
            'knative',
            'kubernetes',
            'kuma',
            'linkerd',
            'nginx',
            'osm',
            'skipper',
            'smi:v1alpha1',
            'smi:v1alpha2',
            'smi:v1alpha3',
            'traefik',
          ],
        },
        metricsServer: { description: 'Prometheus URL', type: 'string' },
        progressDeadlineSeconds: { description: 'Deployment progress deadline', type: 'number' },
        targetRef: {
          description: 'Target selector',
          type: 'object',
          required: ['apiVersion', 'kind', 'name'],
          properties: {
            apiVersion: { type: 'string' },
            kind: { type: 'string', enum: ['DaemonSet', 'Deployment', 'Service'] },
            name: { type: 'string' },
          },
        },
        ingressRef: {
          description: 'Ingress selector',
          type: 'object',
          required: ['apiVersion', 'kind', 'name'],
          properties: {
            apiVersion: { type: 'string' },
            kind: { type: 'string', enum: ['Ingress'] },
            name: { type: 'string' },
          },
        },
        service: {
          description: 'Kubernetes Service spec',
          type: 'object',
          required: ['port'],
          properties: {
            name: { description: 'Kubernetes service name', type: 'string' },
            port: { description: 'Container port number', type: 'number' },
            portName: { description: 'Container port name', type: 'string' },
            appProtocol: { description: 'Application protocol of the port', type: 'string' },
            targetPort: { description: 'Container target port name', 'x-kubernetes-int-or-string': true },
            portDiscovery: { description: 'Enable port discovery', type: 'boolean' },
            headless: { description: 'Headless if set to true, generates headless Kubernetes services.', type: 'boolean' },
            timeout: { description: 'HTTP or gRPC request timeout', type: 'string' },
            backendTimeout: { description: 'Backend request timeout (Gateway API only)', type: 'string' },
            hosts: { description: 'The list of host names for this service', type: 'array', items: { type: 'string' } },
            gatewayRefs: {
              description: 'The list of parent Gateways for a HTTPRoute',
              maxItems: 32,
              type: 'array',
              items: {
                required: ['name'],
                type: 'object',
                properties: {
                  group: {
                    default: 'gateway.networking.k8s.io',
                    maxLength: 253,
                    pattern: '^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
                    type: 'string',
                  },
                  kind: {
                    default: 'Gateway',
                    maxLength: 63,
                    minLength: 1,
                    pattern: '^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$',
                    type: 'string',
                  },
                  name: { maxLength: 253, minLength: 1, type: 'string' },
                  namespace: { maxLength: 63, minLength: 1, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', type: 'string' },
                  sectionName: {
                    maxLength: 253,
                    minLength: 1,
                    pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
                    type: 'string',
                  },
                  port: { format: 'int32', maximum: 65535, minimum: 1, type: 'integer' },
                },
              },
            },
          },
        },
        skipAnalysis: { description: 'Skip analysis and promote canary', type: 'boolean' },
        revertOnDeletion: { description: 'Revert mutated resources to original spec on deletion', type: 'boolean' },
        suspend: { description: 'Suspend Canary disabling/pausing all canary runs', type: 'boolean' },
        analysis: {
          description: 'Canary analysis for this canary',
          type: 'object',
          oneOf: [
            { required: ['interval', 'threshold', 'iterations'] },
            { required: ['interval', 'threshold', 'stepWeight'] },
            { required: ['interval', 'threshold', 'stepWeights'] },
          ],
          properties: {
            interval: { description: 'Schedule interval for this canary', type: 'string', pattern: '^[0-9]+(m|s)' },
            iterations: { description: 'Number of checks to run for A/B Testing and Blue/Green', type: 'number' },
            threshold: { description: 'Max number of failed checks before rollback', type: 'number' },
            maxWeight: { description: 'Max traffic weight routed to canary', type: 'number' },
            stepWeight: { description: 'Incremental traffic step weight for the analysis phase', type: 'number' },
            stepWeights: {
              description: 'Incremental traffic step weights for the analysis phase',
              type: 'array',
              items: { type: 'number' },
            },
            stepWeightPromotion: { description: 'Incremental traffic step weight for the promotion phase', type: 'number' },
            mirror: { description: 'Mirror traffic to canary', type: 'boolean' },
            mirrorWeight: { description: 'Weight of traffic to be mirrored', type: 'number' },
            primaryReadyThreshold: {
              description: 'Percentage of pods that need to be available to consider primary as ready',
              type: 'number',
            },
            canaryReadyThreshold: {
              description: 'Percentage of pods that need to be available to consider canary as ready',
              type: 'number',
            },
            metrics: {
              description: 'Metric check list for this canary',
              type: 'array',
              items: {
                type: 'object',
                required: ['name'],
                properties: {
                  name: { description: 'Name of the metric', type: 'string' },
                  interval: { description: 'Interval of the query', type: 'string', pattern: '^[0-9]+(m|s)' },
                  threshold: { description: 'Max value accepted for this metric', type: 'number' },
                  thresholdRange: {
                    description: 'Range accepted for this metric',
                    type: 'object',
                    properties: {
                      min: { description: 'Min value accepted for this metric', type: 'number' },
                      max: { description: 'Max value accepted for this metric', type: 'number' },
                    },
                  },
                  query: { description: 'Prometheus query', type: 'string' },
                  templateRef: {
                    description: 'Metric template reference',
                    type: 'object',
                    required: ['name'],
                    properties: {
                      name: { description: 'Name of this metric template', type: 'string' },
                      namespace: { description: 'Namespace of this metric template', type: 'string' },
                    },
                  },
                  templateVariables: {
                    description: 'Additional variables to be used in the metrics query (key-value pairs)',
                    type: 'object',
                    additionalProperties: { type: 'string' },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
} as const;
