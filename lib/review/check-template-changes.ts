import { runningWorkload } from '../model/stage-state';
import { templateChanges } from '../model/pod-template';
import type { Finding } from '../model/finding';
import { transitionLabel, type TransitionRule } from './check-rule';

/**
 * `template-change-not-rolled-out`: a stage changes the pod template of a workload it keeps
 * paused (an env var, a limit, a sidecar): the Deployment takes the new template but its pods keep
 * running the old one until it is resumed, so whatever the stage means to test is not running yet.
 * A warning: pausing first and resuming later is a legitimate way to stage a change. A new image
 * on a paused workload is shown by `diff` the same way (`paused: not rolled out yet`).
 */
export const templateChangeNotRolledOut: TransitionRule = (_plan, transition) =>
  transition.workloads.flatMap((t): Finding[] => {
    if (!t.from || !t.to || !t.to.paused || t.rollsOut) return [];
    const before = runningWorkload(transition.from, t.name)?.workload;
    const after = runningWorkload(transition.to, t.name)?.workload;
    const changes = templateChanges(before, after);
    if (changes.length === 0) return [];
    return [
      {
        severity: 'warning',
        rule: 'template-change-not-rolled-out',
        stage: transitionLabel(transition),
        object: `Deployment/${t.name}`,
        problem: `changes the pod template (${changes.join(', ')}) while paused: its pods keep the old template until it is resumed`,
        fix: `resume it in this stage (paused: false) if the change should run now, or in a later stage`,
      },
    ];
  });
