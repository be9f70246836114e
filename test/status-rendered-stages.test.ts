/** `status` and `release` render each stage of a stack once per plan, however often they read the cluster. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderedStage } from '../lib/status/rendered-stages';
import { renderStackStage, type RenderedStage } from '../lib/synth/render-stack';
import type { Stack } from '../lib/stacks';
import { exampleStack } from './support/example-stacks';

describe('stages rendered for status', () => {
  test('a stage is rendered once per plan: a poll (a copy of the stack at another stage) renders nothing again', () => {
    const stack = exampleStack('fop-gate');
    const renders: string[] = [];
    const render = (s: Stack, stage: string): RenderedStage => {
      renders.push(stage);
      return renderStackStage(s, stage);
    };
    const stages = stack.plan.stages.map((s) => s.name);
    for (let poll = 0; poll < 3; poll++) {
      const atStage: Stack = { ...stack, stage: stages[1], stageIndex: 1 };
      for (const stage of stages) renderedStage(atStage, stage, render);
    }
    assert.deepEqual(renders, stages);
    assert.equal(renderedStage(stack, stages[2], render).stage, stages[2]);
  });

  test('what it returns is what renderStackStage renders, and a different plan or stack is rendered anew', () => {
    const stack = exampleStack('fop-gate');
    const stage = stack.plan.stages[2].name;
    assert.deepEqual(
      renderedStage(stack, stage, renderStackStage).files.map((f) => f.yaml),
      renderStackStage(stack, stage).files.map((f) => f.yaml),
    );
    let renders = 0;
    const counted = (s: Stack, at: string) => (renders++, renderStackStage(s, at));
    renderedStage(stack, stage, counted); // rendered above: not again
    renderedStage({ ...stack, plan: { ...stack.plan } }, stage, counted);
    renderedStage({ ...stack, name: 'other' }, stage, counted);
    // The stack's own stage carries its fromStage (sync waves): another fromStage is another rendering.
    renderedStage({ ...stack, stage, fromStage: stack.plan.stages[0].name }, stage, counted);
    assert.equal(renders, 3);
  });
});
