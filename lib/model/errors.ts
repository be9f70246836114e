/**
 * An error a stepwise user reads: where the problem is (file and key path), what is wrong,
 * and how to fix it. The CLI, `npm run synth` and the Pulumi program print these as one
 * line each and never show a stack trace for them.
 */
export class StepwiseError extends Error {
  /** The file the problem is in, when it comes from a file (e.g. `stacks/Pulumi.web.yaml`). */
  readonly file?: string;
  /** The key path inside the file or plan, e.g. `stages[2].workloads.canary.replicas`. */
  readonly keyPath?: string;
  /** What was wrong, e.g. `must be a whole number >= 0, got -1`. */
  readonly problem: string;
  /** How to fix it, e.g. `set a replica count such as 1`. */
  readonly fix?: string;

  constructor(options: { file?: string; keyPath?: string; problem: string; fix?: string }) {
    super(formatStepwiseError(options));
    this.name = 'StepwiseError';
    this.file = options.file;
    this.keyPath = options.keyPath;
    this.problem = options.problem;
    this.fix = options.fix;
  }

  /** The same error, located in `file` (errors raised while validating plain data know no file). */
  inFile(file: string): StepwiseError {
    return new StepwiseError({ file, keyPath: this.keyPath, problem: this.problem, fix: this.fix });
  }

  /** The same error with its key path placed under `prefix` (e.g. `config.stepwise:plan`). */
  under(prefix: string): StepwiseError {
    const keyPath = this.keyPath ? joinKeyPath(prefix, this.keyPath) : prefix;
    return new StepwiseError({ file: this.file, keyPath, problem: this.problem, fix: this.fix });
  }
}

/** Several problems found at once; validation reports all of them rather than the first. */
export class StepwiseErrors extends Error {
  readonly errors: readonly StepwiseError[];
  constructor(errors: readonly StepwiseError[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.name = 'StepwiseErrors';
    this.errors = errors;
  }
}

function formatStepwiseError(o: { file?: string; keyPath?: string; problem: string; fix?: string }): string {
  const where = [o.file, o.keyPath].filter(Boolean).join(': ');
  const head = where ? `${where}: ${o.problem}` : o.problem;
  return escapeControlCharacters(o.fix ? `${head} (fix: ${o.fix})` : head);
}

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * `text` with every control character (C0, DEL, C1) written as a `\u0000` escape. Messages quote
 * what users wrote, which may hold a NUL or a terminal escape: printed raw, it would corrupt the
 * terminal or split the one line each problem gets.
 */
export function escapeControlCharacters(text: string): string {
  return text.replace(CONTROL_CHARACTER, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `a` + `b` → `a.b`, and `a` + `[2].c` → `a[2].c`. */
export function joinKeyPath(prefix: string, rest: string): string {
  if (!prefix) return rest;
  if (!rest) return prefix;
  return rest.startsWith('[') ? `${prefix}${rest}` : `${prefix}.${rest}`;
}

/** Every StepwiseError inside `error` (one, several, or none when it is some other error). */
export function stepwiseErrorsOf(error: unknown): StepwiseError[] {
  if (error instanceof StepwiseError) return [error];
  if (error instanceof StepwiseErrors) return [...error.errors];
  return [];
}
