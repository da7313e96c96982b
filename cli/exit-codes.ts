// The `picora` exit codes (documented in `picora --help` and README): scripts branch on these, so they never change meaning.
export const EXIT = {
  ok: 0,
  /** The API answered with an error (validation, quota, not found, …). */
  api: 1,
  /** Bad flags or arguments; nothing was sent. */
  usage: 2,
  /** Not logged in, or the credentials were refused (401, or 403 FORBIDDEN). */
  auth: 3,
  /** The server could not be reached (connection refused, DNS, timeout, 502/503/504). */
  network: 4,
  /** Some items of a batch (upload, rm) failed, others succeeded. */
  partial: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `Exit codes:
  0  success
  1  the API answered with an error (its "error" text and "code" are printed)
  2  usage error (unknown command, bad flag or argument)
  3  not logged in, or the credentials were refused
  4  the server could not be reached
  5  partial failure: some uploads or deletions failed, others succeeded`;

/** A failure the CLI reports and exits with: `code` is the API's error code when the API sent one. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly code?: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
