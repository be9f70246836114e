/**
 * The release loop: from the stage a stack is in, apply the next stage, wait for the cluster to
 * reach it, soak, ask the gate, and go on — or go back to the last good stage. The loop only
 * decides; every effect is one of the injected {@link ReleasePieces} (the Pulumi update, the
 * cluster reader, the clock, the gate, the stack file), so its decisions are tested in process
 * with fakes and the pieces on their own against the real things.
 *
 * How a release stays resumable: the stack file is written before each update (it names the
 * stage being applied), and Pulumi records the stage each completed update applied (the `stage`
 * stack output). At start the two are compared: when they differ an update was interrupted (or
 * the file was edited by hand), and the file's stage is applied again, with a refresh, so the
 * cluster and the file agree before anything else. The stage a release starts from is watched
 * (settle, soak, gate) like any other before the release leaves it: a killed run may have left it
 * unwatched, and a release never goes on from a stage it has not seen pass.
 */
import type { GateReportJson } from '../gate/report';
import { capacityLine, findingLines, workloadLine } from '../review/diff-format';
import { stageDiff } from '../review/diff-stages';
import type { Plan } from '../model/plan';
import { formatDuration, stagePolicies, type StagePolicy } from '../model/stage-policy';
import type { Approvals } from './approvals';
import { howToApprove } from './approvals';
import { OUTCOME_EXIT_CODES, type PendingOperation, type ReleaseEvent, type ReleaseOutcome, type StagePhase } from './release-event';
import { releaseCheckErrors } from './release-safety';
import type { LockOutcome } from './stack-lock';

/** What the gate said about a stage. */
export type StageGateResult =
  | { readonly verdict: 'pass' | 'fail' | 'inconclusive'; readonly report: GateReportJson }
  | { readonly verdict: 'none'; readonly reason: string };

/** Whether the cluster reached a stage. */
export type SettleResult = { readonly settled: true } | { readonly settled: false; readonly reason: string };

/** The effects a release needs, each a small adapter (lib/release/*-piece.ts hold the real ones). */
export interface ReleasePieces {
  /**
   * Frees the stack of locks a killed update left, when each provably belongs to a dead process
   * (lib/release/stack-lock.ts), or says why it cannot. Never called for `--dry-run`.
   */
  freeStaleLocks(): Promise<LockOutcome>;
  /**
   * Clears the resource operations an interrupted update left pending in the state (`pulumi
   * refresh --clear-pending-creates`, which also reads the cluster) and returns them; none, nothing
   * runs. Throws (an Error whose message says why) when the refresh fails.
   */
  clearPendingOperations(): Promise<readonly PendingOperation[]>;
  /**
   * The stage the cluster has, as the last update recorded it when that update succeeded (with
   * --gitops, as the cluster reads); undefined when nothing says (before the first update, after
   * one that failed or was cancelled).
   */
  recordedStage(): Promise<string | undefined>;
  /**
   * Applies the stage the stack file names (`pulumi up`), ordered make-before-break from the
   * recorded stage; `refresh` reads the cluster first. Throws (an Error whose message says why) when
   * the update fails.
   */
  apply(stage: string, options: { readonly refresh: boolean }): Promise<void>;
  /** What applying `stage` would change (`pulumi preview`), per operation; for `--dry-run`. */
  preview(stage: string): Promise<Readonly<Record<string, number>>>;
  /** Waits until the cluster is at `stage` with every rollout finished, or says why not. */
  settle(stage: string): Promise<SettleResult>;
  /** Waits `seconds`, calling `tick` with the seconds left now and then; returns early when the run is interrupted. */
  soak(seconds: number, tick: (secondsLeft: number) => void): Promise<void>;
  /** Runs the metric gate on the stage at `stageIndex`. */
  gate(stageIndex: number): Promise<StageGateResult>;
  /** Sets `stepwise:stage` and `stepwise:fromStage` in the stack file. */
  writeStage(stage: string, fromStage: string): void;
}

/** What to release. */
export interface ReleaseRequest {
  /** The stack's name. */
  readonly stack: string;
  /** The stack file, for messages. */
  readonly file: string;
  /** The stack's plan. */
  readonly plan: Plan;
  /** The index of the stage the stack file names. */
  readonly stageIndex: number;
  /** The index of the last stage to go to (`--to`); at least `stageIndex`. */
  readonly toIndex: number;
  /** The stages approved for this run. */
  readonly approvals: Approvals;
  /** `--dry-run`: show every step and a preview of each update, change nothing. */
  readonly dryRun: boolean;
  /** Aborted on Ctrl-C or when the job is cancelled: the release stops between steps. */
  readonly signal?: AbortSignal;
}

/** How the release ended. */
export interface ReleaseResult {
  /** The outcome. */
  readonly outcome: ReleaseOutcome;
  /** The stage the stack file names at the end. */
  readonly stage: string;
  /** The process exit code. */
  readonly exitCode: number;
}

/** Thrown between steps once the run's signal is aborted. */
class Interrupted extends Error {}

/** A stage that did not pass: where and why. */
interface StageFailure {
  readonly phase: StagePhase;
  readonly reason: string;
  /** True when the update itself failed (the next update must refresh first). */
  readonly applyFailed: boolean;
}

/** Runs a release, reporting every step to `emit`. Never throws for a failed stage: the result says. */
export async function runRelease(
  request: ReleaseRequest,
  pieces: ReleasePieces,
  emit: (event: ReleaseEvent) => void,
): Promise<ReleaseResult> {
  const { plan, stack } = request;
  const stages = plan.stages;
  const policies = stagePolicies(plan);
  let fileStage = request.stageIndex;

  const interrupted = () => {
    if (request.signal?.aborted) throw new Interrupted('interrupted');
  };
  const done = (outcome: ReleaseOutcome, reason: string): ReleaseResult => {
    const exitCode = OUTCOME_EXIT_CODES[outcome];
    emit({ event: 'done', stack, outcome, stage: stages[fileStage].name, exitCode, reason });
    return { outcome, stage: stages[fileStage].name, exitCode };
  };
  const phase = (stageIndex: number, p: StagePhase) => emit({ event: 'phase', stack, stage: stages[stageIndex].name, phase: p });
  const write = (index: number, from: number) => {
    if (request.dryRun) return;
    pieces.writeStage(stages[index].name, stages[from].name);
    fileStage = index;
    emit({ event: 'stack-file', stack, stage: stages[index].name, fromStage: stages[from].name, file: request.file });
  };

  /** Settle, soak and gate the stage the cluster was just brought to. */
  const watch = async (index: number): Promise<StageFailure | undefined> => {
    const name = stages[index].name;
    phase(index, 'settle');
    const settled = await pieces.settle(name);
    interrupted();
    if (!settled.settled) return { phase: 'settle', reason: settled.reason, applyFailed: false };
    const soak = policies[index].soakSeconds;
    if (soak > 0) {
      phase(index, 'soak');
      await pieces.soak(soak, (secondsLeft) => emit({ event: 'soak', stack, stage: name, secondsLeft, seconds: soak }));
      interrupted();
    }
    phase(index, 'gate');
    const gate = await pieces.gate(index);
    interrupted();
    if (gate.verdict === 'none') {
      emit({ event: 'gate', stack, stage: name, verdict: 'none', reason: gate.reason });
    } else {
      emit({ event: 'gate', stack, stage: name, verdict: gate.verdict, report: gate.report });
      if (gate.verdict !== 'pass') {
        return {
          phase: 'gate',
          reason: `the metric gate is ${gate.verdict}${gate.verdict === 'inconclusive' ? ', which is never a pass' : ''}`,
          applyFailed: false,
        };
      }
    }
    emit({ event: 'passed', stack, stage: name });
    return undefined;
  };

  /** Applies the stage at `index` (already named by the stack file). */
  const apply = async (index: number, refresh: boolean): Promise<StageFailure | undefined> => {
    phase(index, 'apply');
    try {
      await pieces.apply(stages[index].name, { refresh });
    } catch (error) {
      interrupted();
      return { phase: 'apply', reason: `the update failed: ${(error as Error).message}`, applyFailed: true };
    }
    interrupted();
    return undefined;
  };

  /** Clears what an interrupted update left pending, before the stage is applied again. */
  const clearPending = async (index: number): Promise<StageFailure | undefined> => {
    try {
      const operations = await pieces.clearPendingOperations();
      if (operations.length > 0) emit({ event: 'pending-operations', stack, stage: stages[index].name, operations });
    } catch (error) {
      interrupted();
      return {
        phase: 'apply',
        reason: `clearing the interrupted update's pending operations failed: ${(error as Error).message}`,
        applyFailed: true,
      };
    }
    interrupted();
    return undefined;
  };

  /**
   * A stage failed: pause there, or go back to `lastGood` one stage at a time, each move applied
   * (make before break) and settled like a forward one. `lastGood` undefined: the release started
   * at the failed stage (a resumed release), so it goes back to the stage before, which this run
   * never saw pass — and says so (docs/release.md, "A resumed release that fails").
   */
  const fail = async (index: number, failure: StageFailure, lastGood: number | undefined): Promise<ReleaseResult> => {
    const name = stages[index].name;
    emit({ event: 'failed', stack, stage: name, phase: failure.phase, reason: failure.reason });
    const policy: StagePolicy = policies[index];
    if (policy.onFailure === 'pause') {
      return done('paused', `${name} failed (${failure.reason}); its policy is onFailure: pause, so the stack stays at ${name}`);
    }
    const target = lastGood ?? index - 1;
    if (target < 0 || target >= index) {
      return done('failed', `${name} failed (${failure.reason}) and is the first stage: there is no stage to roll back to`);
    }
    const vouched = lastGood !== undefined;
    emit({ event: 'rollback', stack, from: name, to: stages[target].name, vouched });
    let refresh = failure.applyFailed;
    for (let i = index - 1; i >= target; i--) {
      write(i, i + 1);
      const applyFailure = await apply(i, refresh);
      if (applyFailure) {
        emit({ event: 'failed', stack, stage: stages[i].name, phase: 'apply', reason: applyFailure.reason });
        return done(
          'failed',
          `${name} failed (${failure.reason}), and the rollback to ${stages[i].name} failed too (${applyFailure.reason}); ${request.file} names ${stages[i].name}: run the release again, which applies that stage first (with a refresh)`,
        );
      }
      refresh = false;
      phase(i, 'settle');
      const settled = await pieces.settle(stages[i].name);
      interrupted();
      if (!settled.settled) {
        return done(
          'failed',
          `${name} failed (${failure.reason}), and after the rollback the cluster did not reach ${stages[i].name}: ${settled.reason}`,
        );
      }
    }
    if (!vouched) {
      return done(
        'rolled-back',
        `${name} failed (${failure.reason}); rolled back to ${stages[target].name}, the stage before it, which this run did not see pass (it resumed at ${name}): the cluster is at ${stages[target].name}, but no gate of this run vouches for it — check it (\`stepwise gate ${stack}\`) before releasing again`,
      );
    }
    return done('rolled-back', `${name} failed (${failure.reason}); rolled back to ${stages[target].name}, the last good stage`);
  };

  try {
    // A killed update leaves the stack locked: free it when provably dead, else stop here. Its
    // stage output is not to be trusted either (the program registers it before any object changes).
    const lock: LockOutcome = request.dryRun ? { kind: 'free' } : await pieces.freeStaleLocks();
    interrupted();
    const recorded = lock.kind === 'removed' ? undefined : await pieces.recordedStage();
    interrupted();
    emit({ event: 'start', stack, stage: stages[fileStage].name, recorded: recorded ?? null, to: stages[request.toIndex].name });
    if (lock.kind === 'held') {
      emit({ event: 'locked', stack, reason: lock.reason });
      return done('failed', `the stack is locked by an update stepwise cannot prove dead; nothing was applied (see the locked event)`);
    }
    if (lock.kind === 'removed') {
      for (const l of lock.locks) {
        emit({
          event: 'lock-removed',
          stack,
          lock: l.where,
          ...(l.pid !== undefined ? { pid: l.pid } : {}),
          ...(l.hostname !== undefined ? { hostname: l.hostname } : {}),
          reason: `process ${l.pid} no longer runs on this host (${l.hostname}): the update that took the lock was killed`,
        });
      }
    }

    phase(fileStage, 'check');
    const errors = releaseCheckErrors(plan, fileStage, request.toIndex);
    if (errors.length > 0) {
      emit({
        event: 'failed',
        stack,
        stage: stages[fileStage].name,
        phase: 'check',
        reason: errors.flatMap(findingLines).join('\n'),
      });
      return done(
        'failed',
        `\`stepwise check\` found ${errors.length} error(s) in the moves this release may make (above); nothing was applied`,
      );
    }

    if (request.dryRun) return await dryRun(request, pieces, emit, policies, recorded, done);

    // The cluster must be at the file's stage before the release goes on from it.
    const startIndex = fileStage;
    if (recorded !== stages[startIndex].name) {
      const recordedIndex = stages.findIndex((s) => s.name === recorded);
      if (startIndex > recordedIndex && policies[startIndex].approvalRequired && !request.approvals.has(stages[startIndex].name)) {
        emit({ event: 'approval-needed', stack, stage: stages[startIndex].name, how: howToApprove(stages[startIndex].name) });
        return done('awaiting-approval', `${stages[startIndex].name} (named by ${request.file}, not yet applied) needs an approval`);
      }
      emit({ event: 'reconcile', stack, stage: stages[startIndex].name, recorded: recorded ?? null });
      const failure = (await clearPending(startIndex)) ?? (await apply(startIndex, true));
      if (failure) return await fail(startIndex, failure, undefined);
    }
    const startFailure = await watch(startIndex);
    if (startFailure) return await fail(startIndex, startFailure, undefined);

    for (let i = startIndex + 1; i <= request.toIndex; i++) {
      const name = stages[i].name;
      if (policies[i].approvalRequired) {
        phase(i, 'approve');
        if (!request.approvals.has(name)) {
          emit({ event: 'approval-needed', stack, stage: name, how: howToApprove(name) });
          return done('awaiting-approval', `${name} needs an approval; the stack stays at ${stages[i - 1].name}`);
        }
      }
      write(i, i - 1);
      const failure = (await apply(i, false)) ?? (await watch(i));
      if (failure) return await fail(i, failure, i - 1);
    }
    const last = stages[request.toIndex].name;
    return done('released', request.toIndex === stages.length - 1 ? `${last} is the last stage of the plan` : `${last} reached (--to)`);
  } catch (error) {
    if (error instanceof Interrupted) {
      return done(
        'interrupted',
        `stopped by a signal; ${request.file} names ${stages[fileStage].name}: run the release again to resume (it re-applies that stage if its update did not finish)`,
      );
    }
    throw error;
  }
}

/**
 * `--dry-run`: every step the release would take. Only the first update is previewed with Pulumi:
 * it is the only one whose starting point (the cluster as it is now) a preview can see; a preview
 * of a later stage against today's cluster would show the jump from today's stage, not the move
 * from the stage before it. The later steps are shown from the model, as `stepwise diff` shows
 * each move (workloads changed, the fewest ready endpoints against the floor).
 */
async function dryRun(
  request: ReleaseRequest,
  pieces: ReleasePieces,
  emit: (event: ReleaseEvent) => void,
  policies: readonly StagePolicy[],
  recorded: string | undefined,
  done: (outcome: ReleaseOutcome, reason: string) => ReleaseResult,
): Promise<ReleaseResult> {
  const { plan } = request;
  const { stages } = plan;
  const then = (i: number) => {
    const p = policies[i];
    const steps = [
      'wait for the cluster to settle',
      ...(p.soakSeconds > 0 ? [`soak ${formatDuration(p.soakSeconds)}`] : []),
      'ask the gate',
    ];
    return `${steps.join(', ')}; on failure ${p.onFailure === 'pause' ? 'stop there' : 'roll back'}`;
  };
  const reapply = recorded !== stages[request.stageIndex].name;
  const first = reapply ? request.stageIndex : request.stageIndex + 1;
  for (let i = first; i <= request.toIndex; i++) {
    const name = stages[i].name;
    if (policies[i].approvalRequired && !request.approvals.has(name)) {
      emit({ event: 'approval-needed', stack: request.stack, stage: name, how: howToApprove(name) });
    }
    const from = i === first && reapply ? (recorded ?? null) : stages[i - 1].name;
    if (i === first) {
      emit({
        event: 'preview',
        stack: request.stack,
        stage: name,
        from,
        source: 'pulumi',
        changes: await pieces.preview(name),
        then: then(i),
      });
    } else {
      emit({ event: 'preview', stack: request.stack, stage: name, from, source: 'plan', moves: planMoves(plan, i), then: then(i) });
    }
  }
  return done('dry-run', 'nothing was changed');
}

/** The move into stage `index` from the stage before it, in `stepwise diff`'s words: each workload that changes, each Service's floor. */
function planMoves(plan: Plan, index: number): string[] {
  const diff = stageDiff({ plan, stage: plan.stages[index - 1].name }, { plan, stage: plan.stages[index].name });
  const workloads = diff.workloads.filter((w) => !/: unchanged \(/.test(workloadLine(w))).map(workloadLine);
  const services = diff.services.flatMap((s) => capacityLine(s) ?? []);
  return [...workloads, ...services];
}
