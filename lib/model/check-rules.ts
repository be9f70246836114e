/**
 * Every rule `stepwise check` (and `promote`, `rollback` and `diff`, which run it) can report: its
 * stable id, its severity, when it runs and what it flags. The one list of them: a finding's `rule`
 * must be one of these ids, `stepwise check --help` prints this list, and `npm run docs` renders it
 * into docs/reference/check-rules.md.
 */

/** When a rule runs. */
export type CheckRuleScope = 'plan' | 'stage' | 'transition' | 'plan versions' | 'stack files';

/** What one rule is about. */
export interface CheckRuleInfo {
  /** `error` makes `check` exit 1 and `promote` refuse; `warning` is shown but allowed. */
  readonly severity: 'error' | 'warning';
  /**
   * What the rule looks at: the whole `plan`, every `stage`, every `transition` between two stages,
   * two `plan versions` (the stack file at a git ref and now, `stepwise diff --base`), or the
   * other `stack files` of the stacks directory.
   */
  readonly scope: CheckRuleScope;
  /** One line: what it flags. */
  readonly summary: string;
  /** More detail for the reference page, when one line is not enough. */
  readonly details?: string;
}

/** The rules, in the order `stepwise check --help` lists them. */
export const CHECK_RULES = {
  'service-without-endpoints': {
    severity: 'error',
    scope: 'stage',
    summary: 'a Service has no ready endpoints in a stage',
    details: 'Its selector matches no workload of the stage, or the workloads it matches have no pods.',
  },
  'capacity-below-floor': {
    severity: 'error',
    scope: 'transition',
    summary: 'a transition leaves a Service fewer ready endpoints than its floor (a scale-down, a deletion, a rollout with maxUnavailable)',
    details:
      'Measured make → switch → break. Deleting a workload a Service still selects is judged like scaling it to 0. A transition that only starts below the floor (the stage before was flagged) and recovers is not flagged again.',
  },
  'cutover-below-floor': {
    severity: 'error',
    scope: 'transition',
    summary: 'a selector cutover to workloads with fewer ready pods than the floor',
    details:
      'The fix is "scale v2 first": a cutover that scales v2 up in the same stage is safe, because the scale-up is awaited before the switch.',
  },
  'template-change-not-rolled-out': {
    severity: 'warning',
    scope: 'transition',
    summary: 'a stage changes the pod template of a workload it keeps paused, so the change does not run yet',
    details:
      'Any template change counts (an env var, a resource limit, a sidecar), not only the image; the pods keep the old template until the Deployment is resumed.',
  },
  'stage-below-floor': {
    severity: 'error',
    scope: 'plan',
    summary: 'the first stage is already below a configured floor',
  },
  'overlapping-selectors': {
    severity: 'warning',
    scope: 'plan',
    summary: "a Deployment's selector also matches another workload's pods (the blog's nginx-dm selecting name: nginx)",
    details:
      "Allowed: the Deployment and ReplicaSet controllers claim only the ReplicaSets and pods they control (controller references) or orphans, and each ReplicaSet's selector carries its own pod-template-hash, so the two Deployments never take each other's pods. What selects by label alone is the risk: stepwise narrows the broader workload's PodDisruptionBudget to its own pods (a pod under two budgets cannot be evicted at all), but a HorizontalPodAutoscaler on it would count the other's pods, and it adopts a ReplicaSet of the other that is orphaned. Typical when adopting a Deployment that already runs; see docs/guides/adopting.md.",
  },
  'identical-pod-labels': {
    severity: 'error',
    scope: 'plan',
    summary: 'two workloads whose pods carry the same labels',
    details:
      'No Service, PodDisruptionBudget or autoscaler selector can tell their pods apart: traffic can never move from one to the other, and their budgets would both select every pod. Stack files with this are rejected when loaded; the rule is for plans built in code.',
  },
  'rolling-update-cannot-progress': {
    severity: 'error',
    scope: 'plan',
    summary: 'maxSurge and maxUnavailable both zero',
    details: 'Stack files with this are rejected when loaded; the rule is for plans built in code.',
  },
  'weight-without-ready-pods': {
    severity: 'error',
    scope: 'stage',
    summary: 'a traffic router sends a weight to a track with no pods in a stage',
    details: 'Those requests would fail (ingress-nginx and Gateway API answer 503, a mesh has no endpoint).',
  },
  'invalid-traffic-section': {
    severity: 'error',
    scope: 'stage',
    summary: "a stage's traffic weights do not fit the plan's traffic section",
    details: 'For plans built in code; a stack file with an invalid traffic section is rejected when loaded.',
  },
  'pod-security-override': {
    severity: 'warning',
    scope: 'plan',
    summary: 'each securityOverrides departure from the restricted standard',
    details:
      'One warning per departure, with the stated `reason`. `runAsUser` with a non-root UID and adding `NET_BIND_SERVICE` are not warned: the restricted Pod Security Standard allows both.',
  },
  'canary-widened-unwatched': {
    severity: 'warning',
    scope: 'transition',
    summary: 'a stage sends the new version more requests with no soak and no analysis section (stepwise release would move on unwatched)',
    details:
      'The new version is any pod template the first stage does not run: a new image, or the same image with an env var, a limit or another template field changed. Give the stage a `soak` (e.g. `soak: 5m`), or the plan an `analysis` section, so `stepwise release` watches the wider canary before it goes on.',
  },
  'node-port-in-another-stack': {
    severity: 'warning',
    scope: 'stack files',
    summary: 'a nodePort another stack file of the directory uses in the same cluster',
    details:
      'The same cluster: the same `kubernetes:context` and `kubernetes:kubeconfig` in both stack files, or neither (what `pulumi up` uses). A warning, since stepwise cannot be sure two stacks share a cluster; when they do, the API server refuses the second Service before anything switches. The same Service (namespace and name) in two stack files is one object and is not reported.',
  },
  'deployment-selector-changed': {
    severity: 'error',
    scope: 'plan versions',
    summary: "a Deployment's selector changed between the two versions: Kubernetes cannot change it in place",
  },
  'deployment-renamed': {
    severity: 'error',
    scope: 'plan versions',
    summary: 'a Deployment was renamed: a delete of the running pods and a create of new ones, not a hand-over',
  },
  'from-stage-stale': {
    severity: 'error',
    scope: 'plan versions',
    summary: 'the stage moved, but stepwise:fromStage does not name the stage the stack was in, so `pulumi up` would order the wrong move',
    details: '`stepwise promote` and `stepwise rollback` always write stepwise:fromStage; this catches a stage moved by hand.',
  },
} as const satisfies Readonly<Record<string, CheckRuleInfo>>;

/** The id of a `stepwise check` rule, e.g. `service-without-endpoints`. */
export type CheckRuleId = keyof typeof CHECK_RULES;
