/**
 * The CLI's sink for the library's logger hook (@sealvec/qdrant's `Logger`): events become
 * stderr lines, or one JSON object per line with --json. Warnings and errors always show;
 * info shows unless --quiet; debug only with SEALVEC_DEBUG=1. The library passes public facts
 * only (ids, counts, statuses, the backend's own error text); this sink adds nothing else.
 */
import type { Logger, LogEvent } from '@sealvec/qdrant';
import type { Io } from './io.js';

export interface LogFlags {
  quiet?: boolean | undefined;
  json?: boolean | undefined;
}

export function formatLogEvent(e: LogEvent, json: boolean): string {
  if (json) return `${JSON.stringify({ log: e.event, level: e.level, message: e.message, ...(e.fields ? { fields: e.fields } : {}) })}\n`;
  const label = e.level === 'warn' ? 'warning: ' : e.level === 'error' ? 'error: ' : '';
  return `sealvec: ${label}${e.message}\n`;
}

export function createLogger(io: Pick<Io, 'stderr' | 'env'>, flags: LogFlags): Logger {
  const debug = io.env.SEALVEC_DEBUG === '1';
  return (e) => {
    if (e.level === 'debug' && !debug) return;
    if (e.level === 'info' && flags.quiet) return;
    io.stderr.write(formatLogEvent(e, flags.json === true));
  };
}
