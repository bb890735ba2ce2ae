/**
 * The library's logger hook. Backends and collections report what an operator needs to see
 * (retries, progress of long operations, skipped records) through one callback, so the CLI can
 * print it and a service can route it to its own logs.
 *
 * Never passed to it: secret bytes, plaintext payloads or vectors, key material of any kind.
 * Fields carry ids, counts, statuses, durations and the backend's own error text only.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogEvent {
  level: LogLevel;
  /** Stable machine-readable name, e.g. 'backend.retry', 'collection.rewrap.progress'. */
  event: string;
  /** One line for humans. */
  message: string;
  /** Public facts only (ids, counts, statuses, milliseconds). */
  fields?: Record<string, string | number | boolean | null>;
}

export type Logger = (event: LogEvent) => void;
