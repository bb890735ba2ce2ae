/**
 * `sealvec keys protect | unprotect [FILE...]`: passphrase-protect key files at rest, or store
 * them in the clear again. Without FILE: the key directory's files. A protected file is a
 * sealvec/protected container (docs/keys.md); every command opens it transparently, asking for
 * the passphrase (or reading SEALVEC_PASSPHRASE), and writes it back protected.
 */
import { isProtectedText } from '@sealvec/core';
import { UsageError } from '../errors.js';
import type { GlobalOptions } from '../global-options.js';
import type { Io } from '../io.js';
import { KEY_FILES, keyDirFor, keyTypeOf, readKeyText, readSecretFile, writeKeyText, type KeyFileName } from '../keyfiles.js';
import { createReporter } from '../report.js';

export interface ProtectOptions extends GlobalOptions {
  files?: string[] | undefined;
}

async function targets(opts: ProtectOptions, io: Io): Promise<{ files: string[]; kd: ReturnType<typeof keyDirFor> }> {
  const kd = keyDirFor(io, opts);
  if (opts.files !== undefined && opts.files.length > 0) return { files: opts.files, kd };
  const files: string[] = [];
  for (const f of Object.keys(KEY_FILES) as KeyFileName[]) if (await kd.has(f)) files.push(kd.path(f));
  if (files.length === 0) throw new UsageError(`${kd.dir} holds no keys (run "sealvec init" first, or name key files)`);
  return { files, kd };
}

async function convert(opts: ProtectOptions, io: Io, protect: boolean): Promise<void> {
  const { files, kd } = await targets(opts, io);
  const changed: string[] = [];
  const unchanged: string[] = [];
  for (const file of files) {
    const stored = await readSecretFile(file, 'key file', kd.ctx);
    if (isProtectedText(stored) === protect) {
      unchanged.push(file);
      continue;
    }
    const { text } = await readKeyText(file, 'key file', kd.ctx);
    keyTypeOf(text, file);
    await writeKeyText(file, text, kd.ctx, { force: true, protect });
    changed.push(file);
  }
  const verb = protect ? 'Protected' : 'Unprotected';
  const state = protect ? 'already protected' : 'already in the clear';
  createReporter(io, opts).result({ [protect ? 'protected' : 'unprotected']: changed, unchanged }, [
    changed.length ? `${verb} ${changed.join(', ')}` : `Nothing to do`,
    ...(unchanged.length ? [`(${state}: ${unchanged.join(', ')})`] : []),
  ]);
}

export function keysProtect(opts: ProtectOptions, io: Io): Promise<void> {
  return convert(opts, io, true);
}

export function keysUnprotect(opts: ProtectOptions, io: Io): Promise<void> {
  return convert(opts, io, false);
}
