/**
 * What `stepwise release` reports while it runs: one event per step, printed as a line of text
 * for a terminal or as one JSON object per line (`--json`) for a CI system. The events are the
 * release's only output, so the two never disagree. No timestamps: CI systems stamp lines
 * themselves, and the same release prints the same events. docs/release.md documents the format.
 */
import type { GateReportJson } from '../gate/report';
import { formatDuration } from '../model/stage-policy';

/** How a release ended, and its exit code. */
export type ReleaseOutcome =
  /** Every stage up to the target was applied and passed: exit 0. */
  | 'released'
  /** A stage failed and the release went back to the last good stage: exit 1. */
  | 'rolled-back'
  /** A stage failed and its policy is `onFailure: pause`: the stack stays there, exit 1. */
  | 'paused'
  /** Applying, settling or a rollback failed in a way the release cannot handle: exit 1. */
  | 'failed'
  /** The next stage needs an approval that was not given: nothing applied, exit 3. */
  | 'awaiting-approval'
  /** `--dry-run`: every step was shown, nothing changed: exit 0. */
  | 'dry-run'
  /** Stopped by a signal (Ctrl-C, a cancelled job): exit 130. */
  | 'interrupted';

/** The exit code of each outcome. */
export const OUTCOME_EXIT_CODES: Readonly<Record<ReleaseOutcome, number>> = {
  released: 0,
  'dry-run': 0,
  'rolled-back': 1,
  paused: 1,
  failed: 1,
  'awaiting-approval': 3,
  interrupted: 130,
};

/** A resource operation an interrupted update left pending in the stack's state. */
export interface PendingOperation {
  /** The resource's URN. */
  readonly urn: string;
  /** What was under way: `creating`, `updating`, `deleting`, `reading`, `importing`. */
  readonly operation: string;
}

/** The phases of a stage, in the order they run. */
export type StagePhase = 'check' | 'approve' | 'apply' | 'settle' | 'soak' | 'gate';

/** One step of a release. `event` names the kind; every event names its stack. */
export type ReleaseEvent =
  | {
      readonly event: 'start';
      readonly stack: string;
      /** The stage the stack file names. */
      readonly stage: string;
      /** The stage Pulumi recorded at the last update (what the cluster has), or null before the first. */
      readonly recorded: string | null;
      /** The last stage this run goes to. */
      readonly to: string;
    }
  | {
      /** The stack is locked by an update that may be running (another host, a live process, Pulumi Cloud): nothing is applied. */
      readonly event: 'locked';
      readonly stack: string;
      /** Which lock, why stepwise leaves it, and how to free it (`pulumi cancel`). */
      readonly reason: string;
    }
  | {
      /** A lock left by a killed update on this host (its process is gone) was removed. */
      readonly event: 'lock-removed';
      readonly stack: string;
      /** The lock file. */
      readonly lock: string;
      /** The process that took it. */
      readonly pid?: number;
      /** The host it ran on (this one). */
      readonly hostname?: string;
      readonly reason: string;
    }
  | {
      /** The interrupted update left operations pending; `pulumi refresh --clear-pending-creates` cleared them before the stage is applied again. */
      readonly event: 'pending-operations';
      readonly stack: string;
      /** The stage about to be applied again. */
      readonly stage: string;
      readonly operations: readonly PendingOperation[];
    }
  | {
      /** The stack file and the recorded stage differ (an interrupted update): the file's stage is applied again. */
      readonly event: 'reconcile';
      readonly stack: string;
      readonly stage: string;
      readonly recorded: string | null;
    }
  | { readonly event: 'phase'; readonly stack: string; readonly stage: string; readonly phase: StagePhase }
  | {
      /** The stack file now names `stage` (and `fromStage`), written before the update. */
      readonly event: 'stack-file';
      readonly stack: string;
      readonly stage: string;
      readonly fromStage: string;
      readonly file: string;
    }
  | {
      readonly event: 'soak';
      readonly stack: string;
      readonly stage: string;
      /** Seconds of soak left. */
      readonly secondsLeft: number;
      /** The whole soak in seconds. */
      readonly seconds: number;
    }
  | {
      readonly event: 'gate';
      readonly stack: string;
      readonly stage: string;
      /** `pass`, `fail`, `inconclusive`, or `none` when nothing is measured (no analysis section, or no canary yet). */
      readonly verdict: 'pass' | 'fail' | 'inconclusive' | 'none';
      /** Why there is no verdict, for `none`. */
      readonly reason?: string;
      /** The gate's report (`stepwise gate --json`), when it measured. */
      readonly report?: GateReportJson;
    }
  | { readonly event: 'passed'; readonly stack: string; readonly stage: string }
  | {
      readonly event: 'failed';
      readonly stack: string;
      readonly stage: string;
      readonly phase: StagePhase;
      readonly reason: string;
    }
  | {
      readonly event: 'rollback';
      readonly stack: string;
      /** The stage that failed. */
      readonly from: string;
      /** The stage it goes back to: the last good one, or the one before a resumed release's first stage. */
      readonly to: string;
      /** True when this run saw `to` pass its gate; false when the release resumed at `from` and never watched `to`. */
      readonly vouched: boolean;
    }
  | {
      /** The stage needs an approval that was not given. */
      readonly event: 'approval-needed';
      readonly stack: string;
      readonly stage: string;
      readonly how: string;
    }
  | {
      /**
       * `--dry-run`, per stage the release would apply: the first update as a Pulumi preview
       * against the cluster as it is (`source: pulumi`, `changes`), each later one as the plan's
       * move from the stage before it (`source: plan`, `moves`, in `stepwise diff`'s words).
       */
      readonly event: 'preview';
      readonly stack: string;
      readonly stage: string;
      /** The stage the move starts from (null: an update to re-apply after one that did not succeed, from no recorded stage). */
      readonly from: string | null;
      /** `pulumi`: a preview of the update against the cluster now; `plan`: the model's move, since the cluster is not at `from` yet. */
      readonly source: 'pulumi' | 'plan';
      /** `source: pulumi`: resources per operation (`same`, `update`, `create`, …), as Pulumi counts them. */
      readonly changes?: Readonly<Record<string, number>>;
      /** `source: plan`: each workload that changes and each Service's fewest ready endpoints against its floor. */
      readonly moves?: readonly string[];
      /** What the release would do after applying it. */
      readonly then: string;
    }
  | {
      readonly event: 'done';
      readonly stack: string;
      readonly outcome: ReleaseOutcome;
      /** The stage the stack file names at the end, and the cluster is in. */
      readonly stage: string;
      readonly exitCode: number;
      /** Why it stopped, in words. */
      readonly reason: string;
    };

/** The event as one line of JSON (the `--json` format), keys in a fixed order. */
export function eventJson(event: ReleaseEvent): string {
  return JSON.stringify(event);
}

/** The event as a line of text for a terminal. */
export function eventText(event: ReleaseEvent): string {
  switch (event.event) {
    case 'start':
      return `${event.stack}: releasing from ${event.stage} to ${event.to} (Pulumi recorded ${event.recorded ?? 'no stage yet'})`;
    case 'locked':
      return `${event.stack}: LOCKED: ${event.reason}`;
    case 'lock-removed':
      return `${event.stack}: removed the lock ${event.lock}: ${event.reason}`;
    case 'pending-operations':
      return `${event.stack}: the interrupted update left ${event.operations.length} operation(s) pending (${event.operations
        .map((o) => `${o.operation} ${o.urn.split('::').pop()}`)
        .join(
          ', ',
        )}); cleared with pulumi refresh --clear-pending-creates, which reads what the cluster has, before ${event.stage} is applied again`;
    case 'reconcile':
      return `${event.stack}: the stack file names ${event.stage} but the last update recorded ${event.recorded ?? 'no stage'}: applying ${event.stage} again (pulumi up --refresh)`;
    case 'phase':
      return `${event.stack}: ${event.stage}: ${PHASE_WORDS[event.phase]}`;
    case 'stack-file':
      return `${event.stack}: ${event.file}: stepwise:stage ${event.stage} (stepwise:fromStage ${event.fromStage})`;
    case 'soak':
      return `${event.stack}: ${event.stage}: soaking, ${formatDuration(event.secondsLeft)} of ${formatDuration(event.seconds)} left`;
    case 'gate':
      return `${event.stack}: ${event.stage}: gate ${event.verdict}${gateDetail(event)}`;
    case 'passed':
      return `${event.stack}: ${event.stage}: passed`;
    case 'failed':
      return `${event.stack}: ${event.stage}: FAILED during ${event.phase}: ${event.reason}`;
    case 'rollback':
      return `${event.stack}: rolling back from ${event.from} to ${event.to}${event.vouched ? '' : ` (a stage this run did not see pass: it resumed at ${event.from})`}`;
    case 'approval-needed':
      return `${event.stack}: ${event.stage} needs an approval: ${event.how}`;
    case 'preview': {
      if (event.source === 'plan') {
        return `${event.stack}: ${event.stage}: would move from ${event.from} (from the plan; a Pulumi preview cannot see a cluster not yet at ${event.from}): ${(event.moves ?? []).join('; ') || 'no change'}; then ${event.then}`;
      }
      const changes = Object.entries(event.changes ?? {})
        .map(([op, n]) => `${n} ${op}`)
        .join(', ');
      return `${event.stack}: ${event.stage}: would apply (pulumi preview against the cluster now: ${changes || 'no changes'}), then ${event.then}`;
    }
    case 'done':
      return `${event.stack}: ${event.outcome} at ${event.stage}: ${event.reason}`;
  }
}

const PHASE_WORDS: Readonly<Record<StagePhase, string>> = {
  check: 'checking every move the release may make, forward and back',
  approve: 'checking the approval',
  apply: 'applying (pulumi up, or with --gitops the render and its commit)',
  settle: 'waiting for the cluster to reach the stage',
  soak: 'soaking',
  gate: 'asking the metric gate',
};

function gateDetail(event: Extract<ReleaseEvent, { event: 'gate' }>): string {
  if (event.reason) return ` (${event.reason})`;
  if (!event.report) return '';
  const metrics = event.report.metrics.map((m) => `${m.name} ${m.value ?? 'no value'} ${m.result}`).join(', ');
  return ` (${metrics})`;
}
