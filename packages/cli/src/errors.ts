/**
 * The CLI's exit codes and the errors that carry them.
 *
 *   0 ok · 1 unexpected (including operating-system failures on outputs) · 2 usage
 *   3 crypto, key or policy · 4 backend · 5 input data
 *   6 the key opens nothing here (wrong epoch, tenant or authority, a retired vector key, or no
 *     record sealed for a policy the key satisfies): told apart from "no match", which is 0
 *
 * Data errors raised by @sealvec/core and @sealvec/qdrant carry stable codes and are mapped by
 * code; errors the CLI raises itself carry their exit code. Anything else is a bug or an
 * environment failure: exit 1.
 */
import { isSealvecError, type SealvecErrorCode } from '@sealvec/core';

export const EXIT = Object.freeze({
  OK: 0,
  UNEXPECTED: 1,
  USAGE: 2,
  CRYPTO: 3,
  BACKEND: 4,
  INPUT: 5,
  NO_ACCESS: 6,
} as const);

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

const BY_CODE: Readonly<Record<SealvecErrorCode, ExitCode>> = {
  ERR_DECRYPTION_FAILED: EXIT.CRYPTO,
  ERR_ACCESS_DENIED: EXIT.CRYPTO,
  ERR_INVALID_KEY: EXIT.CRYPTO,
  ERR_KEY_NOT_FOUND: EXIT.CRYPTO,
  ERR_INVALID_POLICY: EXIT.CRYPTO,
  ERR_SCHEME_MISMATCH: EXIT.CRYPTO,
  ERR_SCHEME_UNAUTHENTICATED: EXIT.CRYPTO,
  ERR_WEAK_SCHEME: EXIT.CRYPTO,
  ERR_BACKEND: EXIT.BACKEND,
  ERR_CONFLICT: EXIT.BACKEND,
  ERR_NOT_FOUND: EXIT.BACKEND,
  ERR_INGEST_INCOMPLETE: EXIT.BACKEND,
  ERR_INVALID_VECTOR: EXIT.INPUT,
  ERR_DIMENSION_MISMATCH: EXIT.INPUT,
  ERR_EMPTY_INPUT: EXIT.INPUT,
  ERR_MALFORMED: EXIT.INPUT,
  ERR_INPUT_TOO_LARGE: EXIT.INPUT,
  ERR_UNSUPPORTED_VERSION: EXIT.INPUT,
};

/** An error the CLI raises itself, with the exit code it stands for and a stable code. */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  readonly code: string;
  constructor(message: string, exitCode: ExitCode, code: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.code = code;
  }
}

/** Bad arguments or options (exit 2). */
export class UsageError extends CliError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, EXIT.USAGE, 'ERR_USAGE', options);
  }
}

/** An input file that cannot be opened or read (exit 5). */
export class InputFileError extends CliError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, EXIT.INPUT, 'ERR_INPUT_FILE', options);
  }
}

/** A missing or unreadable key file or key directory (exit 3). */
export class KeyFileError extends CliError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, EXIT.CRYPTO, 'ERR_KEY_FILE', options);
  }
}

/**
 * The key opens nothing in the collection or file, for a reason the message names (exit 6).
 * `reason` is the diagnosis (see @sealvec/qdrant's diagnoseAccess), for --json consumers.
 */
export class NoAccessError extends CliError {
  readonly reason: string;
  constructor(message: string, reason: string) {
    super(message, EXIT.NO_ACCESS, 'ERR_NO_ACCESS');
    this.reason = reason;
  }
}

/** An output that cannot be written (exit 1: the environment, not the input, is at fault). */
export class OutputError extends CliError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, EXIT.UNEXPECTED, 'ERR_OUTPUT', options);
  }
}

/** Commander's own errors (unknown option, missing argument, ...) expose `exitCode` and a `commander.` code. */
export function isCommanderError(e: unknown): e is Error & { code: string; exitCode: number } {
  const code = e instanceof Error ? (e as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('commander.');
}

/** The exit code of a stable error code (also for errors rebuilt after crossing a thread boundary). */
export function exitCodeForCode(code: string | undefined): ExitCode {
  if (code === undefined) return EXIT.UNEXPECTED;
  return (BY_CODE as Record<string, ExitCode>)[code] ?? EXIT.UNEXPECTED;
}

export function exitCodeOf(e: unknown): ExitCode {
  if (e instanceof CliError) return e.exitCode;
  if (isSealvecError(e)) return BY_CODE[e.code] ?? EXIT.UNEXPECTED;
  if (isCommanderError(e)) {
    return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? EXIT.OK : EXIT.USAGE;
  }
  return EXIT.UNEXPECTED;
}

/** The stable code printed with `--json` errors. */
export function errorCodeOf(e: unknown): string {
  if (e instanceof CliError || isSealvecError(e)) return e.code;
  if (isCommanderError(e)) return 'ERR_USAGE';
  return 'ERR_UNEXPECTED';
}

/** Error codes of Node's fs layer, turned into a short phrase for messages. */
export function describeFsError(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'a parent is not a directory';
    case 'ENOSPC':
      return 'no space left on device';
    case 'EROFS':
      return 'read-only file system';
    case 'EEXIST':
      return 'already exists';
    default:
      return e instanceof Error ? e.message : String(e);
  }
}
