/**
 * The OpenAPI schema of the SMI `TrafficSplit` CRD, version `split.smi-spec.io/v1alpha2`, as
 * Linkerd's SMI extension serves it.
 *
 * Source: https://github.com/linkerd/linkerd-smi/blob/b55b2127cc235c3d34538a51b9c04eb402fcf091/charts/linkerd-smi/templates/trafficsplit-crd.yaml
 * (itself copied from servicemeshinterface/smi-sdk-go `crds/split.yaml`), the `v1alpha2` entry of
 * `spec.versions[].schema.openAPIV3Schema`, unchanged except that `apiVersion`, `kind` and
 * `metadata` (which the API server adds to every CRD schema) are listed explicitly.
 */
export const SMI_TRAFFIC_SPLIT_V1ALPHA2_SCHEMA = {
  type: 'object',
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      required: ['service', 'backends'],
      properties: {
        service: {
          description: 'The apex service of this split.',
          type: 'string',
        },
        backends: {
          description: 'The backend services of this split.',
          type: 'array',
          items: {
            type: 'object',
            required: ['service', 'weight'],
            properties: {
              service: {
                description: 'Name of the Kubernetes service.',
                type: 'string',
              },
              weight: {
                description: 'Traffic weight value of this backend.',
                type: 'number',
              },
            },
          },
        },
      },
    },
  },
} as const;
