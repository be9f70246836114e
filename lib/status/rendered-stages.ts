/**
 * The stages of a stack rendered once per plan: `status` compares the cluster with every stage's
 * pod templates, and `release` reads the status every few seconds while a stage settles, so
 * rendering each stage with cdk8s on every read would cost seconds per poll on a big stack. A
 * parsed plan never changes, so a stage rendered for it stays right for as long as it is in use.
 */
import type { Plan } from '../model/plan';
import type { Stack } from '../stacks/stack-config';
import type { RenderedStage } from '../synth/render-stack';

const rendered = new WeakMap<Plan, Map<string, RenderedStage>>();

/**
 * `stage` of `stack` as `renderStackStage` renders it (`render` is that function, loaded by the
 * caller so that cdk8s loads only when needed), rendered at most once per plan, stack and stage.
 */
export function renderedStage(stack: Stack, stage: string, render: (stack: Stack, stage: string) => RenderedStage): RenderedStage {
  let byStage = rendered.get(stack.plan);
  if (byStage === undefined) {
    byStage = new Map();
    rendered.set(stack.plan, byStage);
  }
  // What else the rendering reads of the stack: its name, its file (in errors) and, for its own stage, fromStage.
  const key = JSON.stringify([stack.name, stack.file, stage, stage === stack.stage ? stack.fromStage : null]);
  let stageRendered = byStage.get(key);
  if (stageRendered === undefined) {
    stageRendered = render(stack, stage);
    byStage.set(key, stageRendered);
  }
  return stageRendered;
}
