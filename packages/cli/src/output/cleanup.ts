/**
 * Temp files to remove if the process is interrupted. One SIGINT/SIGTERM handler for the whole
 * process removes every registered temp file synchronously, then exits with the conventional
 * code (128 + signal number), so an interrupted run leaves no partial output behind.
 */
import { unlinkSync } from 'node:fs';

const pending = new Set<string>();
let installed = false;

const SIGNAL_EXIT: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

function onSignal(signal: NodeJS.Signals): void {
  removeAllSync();
  process.exit(SIGNAL_EXIT[signal] ?? 1);
}

function removeAllSync(): void {
  for (const p of pending) {
    try {
      unlinkSync(p);
    } catch {
      // Already gone.
    }
  }
  pending.clear();
}

export function registerTemp(path: string): void {
  pending.add(path);
  if (!installed) {
    installed = true;
    for (const s of Object.keys(SIGNAL_EXIT)) process.on(s as NodeJS.Signals, onSignal);
    process.on('exit', removeAllSync);
  }
}

export function unregisterTemp(path: string): void {
  pending.delete(path);
}
