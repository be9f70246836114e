import type { Command } from './command';

/**
 * Every `stepwise` subcommand, in the order `--help` lists them, loaded on first use. Adding a
 * command is one line here plus its file in `lib/cli/commands/`.
 */
export const COMMANDS: Readonly<Record<string, { readonly summary: string; readonly load: () => Promise<Command> }>> = {
  plan: {
    summary: 'show every stage: replicas, images, endpoints, traffic share, capacity per transition',
    load: () => import('./commands/plan.js').then((m) => m.command),
  },
  check: {
    summary: 'static safety analysis of the whole stage sequence (exit 1 on errors)',
    load: () => import('./commands/check.js').then((m) => m.command),
  },
  render: {
    summary: 'the Kubernetes manifests of a stage (or every stage), validated',
    load: () => import('./commands/render.js').then((m) => m.command),
  },
  diff: {
    summary: 'show what a stage change does: images, replicas, traffic, selectors, capacity, manifests',
    load: () => import('./commands/diff.js').then((m) => m.command),
  },
  promote: {
    summary: 'move the stack to its next stage (checks, then the metric gate, then edits the stack file)',
    load: () => import('./commands/promote.js').then((m) => m.command),
  },
  rollback: {
    summary: 'move the stack back to its previous stage (checks, then edits the stack file)',
    load: () => import('./commands/rollback.js').then((m) => m.command),
  },
  release: {
    summary: 'progressive delivery from a pipeline: apply, settle, soak and gate each stage; roll back on failure',
    load: () => import('./commands/release.js').then((m) => m.command),
  },
  gate: {
    summary: "check the canary's metrics in Prometheus: exit 0 pass, 1 fail, 2 cannot decide",
    load: () => import('./commands/gate.js').then((m) => m.command),
  },
  status: {
    summary: 'which stage a live cluster is in: drift, rollouts, real endpoints and traffic share, missing objects',
    load: () => import('./commands/status.js').then((m) => m.command),
  },
  export: {
    summary: "hand the release to Argo Rollouts or Flagger: a Rollout or Canary walking the plan's weights",
    load: () => import('./commands/export.js').then((m) => m.command),
  },
};
