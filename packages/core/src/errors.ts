/**
 * One error hierarchy for data errors, each with a stable `code` to `switch` on.
 *
 * Programmer errors (a wrong argument type or shape) are TypeError / RangeError naming the
 * argument; everything that depends on data (bad vectors, malformed headers, wrong keys,
 * tampering) is a SealvecError subclass. Every failed unwrap, tag check, AEAD open or signature
 * check becomes the same DecryptionFailed with the same message, so callers cannot build an
 * oracle from errors.
 *
 * No SealvecError carries a `cause`, except BackendError (the database's own error, which holds
 * nothing secret): a cause is where an oracle hides ("invalid tag" from the AEAD library against
 * none for "not for me") and where secrets leak (a JSON syntax error quotes the text around the
 * fault, which in a key file is the secret). Messages name fields and limits, never input bytes.
 */

export type SealvecErrorCode =
  | 'ERR_INVALID_VECTOR'
  | 'ERR_DIMENSION_MISMATCH'
  | 'ERR_EMPTY_INPUT'
  | 'ERR_INPUT_TOO_LARGE'
  | 'ERR_INVALID_KEY'
  | 'ERR_KEY_NOT_FOUND'
  | 'ERR_INVALID_POLICY'
  | 'ERR_MALFORMED'
  | 'ERR_UNSUPPORTED_VERSION'
  | 'ERR_DECRYPTION_FAILED'
  | 'ERR_ACCESS_DENIED'
  | 'ERR_SCHEME_MISMATCH'
  | 'ERR_SCHEME_UNAUTHENTICATED'
  | 'ERR_WEAK_SCHEME'
  | 'ERR_BACKEND'
  | 'ERR_NOT_FOUND'
  | 'ERR_CONFLICT'
  | 'ERR_INGEST_INCOMPLETE';

export class SealvecError extends Error {
  /** Stable machine-readable code; also available statically on each subclass. */
  static code: SealvecErrorCode = 'ERR_MALFORMED';
  readonly code: SealvecErrorCode;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
    this.code = (new.target as typeof SealvecError).code;
  }
}

/** A vector contains NaN/Infinity, is all zeros under cosine, or exceeds the dot-product bound. */
export class InvalidVector extends SealvecError {
  static override code: SealvecErrorCode = 'ERR_INVALID_VECTOR';
}

/** A vector or matrix does not have the dimension the key/collection expects. */
export class DimensionMismatch extends SealvecError {
  static override code: SealvecErrorCode = 'ERR_DIMENSION_MISMATCH';
}

/** An empty batch, file or list where at least one item is required. */
export class EmptyInput extends SealvecError {
  static override code: SealvecErrorCode = 'ERR_EMPTY_INPUT';
}

/** Input exceeds a documented limit (dimension, header entries, payload size, ...). */
export class InputTooLarge extends SealvecError {
  static override code: SealvecErrorCode = 'ERR_INPUT_TOO_LARGE';
}

/** A serialized key is malformed, of the wrong type, or of an unsupported version. */
export class InvalidKey extends SealvecError {
  static override code: SealvecErrorCode = 'ERR_INVALID_KEY';
}

/** A ciphertext names a key id that the keyset does not hold. */
export class KeyNotFound extends SealvecError {
  static override code: SealvecErrorCode = 'ERR_KEY_NOT_FOUND';
}

/** A policy or attribute value is malformed (unknown dimension, bad value, ...). */
export class InvalidPolicy extends SealvecError {
  static override code: SealvecErrorCode = 'ERR_INVALID_POLICY';
}

/** Structurally invalid encoded data (bad base64url, wrong lengths, bad JSON shape). */
export class Malformed extends SealvecError {
  static override code: SealvecErrorCode = 'ERR_MALFORMED';
}

/** A format or key version this build does not understand. */
export class UnsupportedVersion extends SealvecError {
  static override code: SealvecErrorCode = 'ERR_UNSUPPORTED_VERSION';
}

/**
 * The single generic failure for authentication/decryption. Its message never says which check
 * failed (tag, AEAD, unwrap, binding) so it cannot serve as an oracle.
 */
export class DecryptionFailed extends SealvecError {
  static override code: SealvecErrorCode = 'ERR_DECRYPTION_FAILED';
  constructor() {
    super('decryption failed');
  }
}

/** The user key does not satisfy the record's policy (only raised where denial is explicit). */
export class AccessDenied extends SealvecError {
  static override code: SealvecErrorCode = 'ERR_ACCESS_DENIED';
}

/** Opening a collection/file with parameters (key, preset, metric, dimension) it was not made with. */
export class SchemeMismatch extends SealvecError {
  static override code: SealvecErrorCode = 'ERR_SCHEME_MISMATCH';
}

/**
 * A collection's (or sealed file's) scheme does not carry a valid signature by a writer the
 * authority certified, or was changed after signing: the store edited it, or it belongs to
 * another authority. Nothing read from it is used.
 */
export class SchemeUnauthenticated extends SealvecError {
  static override code: SealvecErrorCode = 'ERR_SCHEME_UNAUTHENTICATED';
}

/**
 * A scheme's noise (beta, relative to the data's scale) is below this client's floor. Raised on
 * open and create unless the caller lowers the floor explicitly (never because the store says so).
 */
export class WeakScheme extends SealvecError {
  static override code: SealvecErrorCode = 'ERR_WEAK_SCHEME';
}

/** The storage backend failed; `status` and `detail` carry the backend's own words where known. */
export class BackendError extends SealvecError {
  static override code: SealvecErrorCode = 'ERR_BACKEND';
  readonly status: number | undefined;
  readonly detail: string | undefined;
  constructor(message: string, options?: { cause?: unknown; status?: number; detail?: string }) {
    super(message);
    if (options?.cause !== undefined) {
      Object.defineProperty(this, 'cause', { value: options.cause, writable: true, configurable: true, enumerable: false });
    }
    this.status = options?.status;
    this.detail = options?.detail;
  }
}

/** A named collection, record or file does not exist. */
export class NotFound extends SealvecError {
  static override code: SealvecErrorCode = 'ERR_NOT_FOUND';
}

/** A resource exists already or is locked by another writer. */
export class Conflict extends SealvecError {
  static override code: SealvecErrorCode = 'ERR_CONFLICT';
}

/** An ingest finished with some records not stored; `failedIds` lists exactly which. */
export class IngestIncomplete extends SealvecError {
  static override code: SealvecErrorCode = 'ERR_INGEST_INCOMPLETE';
  readonly failedIds: readonly string[];
  readonly stored: number;
  constructor(message: string, failedIds: readonly string[], stored: number) {
    super(message);
    this.failedIds = failedIds;
    this.stored = stored;
  }
}

export function isSealvecError(e: unknown): e is SealvecError {
  return e instanceof SealvecError;
}
