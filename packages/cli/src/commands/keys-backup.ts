/**
 * `sealvec keys export | import`: a backup of the key directory (authority.json, vectors.json,
 * writer.json) in one passphrase-protected file, and its restore. The backup is a
 * sealvec/protected container holding a sealvec/key-backup (docs/keys.md):
 *
 *   { "type": "sealvec/key-backup", "version": 1, "created": ISO-8601,
 *     "files": { "authority.json": "<key JSON>", "vectors.json": "...", "writer.json": "..." } }
 *
 * Import checks every key (type, version, secrets, authority id against its master, the writer key
 * against what the authority derives, with the same authority public key) before writing
 * anything, and refuses to replace keys unless --force. Nothing secret is printed: only ids,
 * epochs and key ids.
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  authorityInfo,
  createWriterKey,
  DecryptionFailed,
  equalBytes,
  importAuthority,
  importWriterKey,
  InvalidKey,
  isProtectedText,
  MAX_PROTECTED_PLAINTEXT,
  protectSecret,
  unprotectSecret,
  VectorKeyset,
} from '@sealvec/core';
import { describeFsError, InputFileError, UsageError } from '../errors.js';
import type { GlobalOptions } from '../global-options.js';
import type { Io } from '../io.js';
import { defaultKeyDir, ensureKeyDir, KEY_FILES, keyDirFor, wrongPassphrase, writeSecretFile, type KeyFileName } from '../keyfiles.js';
import { createReporter, table } from '../report.js';

export const BACKUP_TYPE = 'sealvec/key-backup';
export const BACKUP_VERSION = 1;

export interface KeyBackup {
  created: string;
  /** File name in the key directory -> the key's JSON. */
  files: Partial<Record<(typeof KEY_FILES)[KeyFileName], string>>;
}

const FILE_NAMES = Object.values(KEY_FILES) as string[];

export function encodeBackup(b: KeyBackup): string {
  return JSON.stringify({ type: BACKUP_TYPE, version: BACKUP_VERSION, created: b.created, files: b.files });
}

/** Parses an opened backup and checks every key in it (InvalidKey naming the file at fault). */
export function parseBackup(text: string, name: string): KeyBackup & { summary: [string, string][] } {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    throw new InvalidKey(`${name}: the backup's content is not JSON`);
  }
  const o = j as { type?: unknown; version?: unknown; created?: unknown; files?: unknown } | null;
  if (typeof o !== 'object' || o === null || o.type !== BACKUP_TYPE) throw new InvalidKey(`${name}: not a ${BACKUP_TYPE}`);
  if (o.version !== BACKUP_VERSION) throw new InvalidKey(`${name}: unsupported ${BACKUP_TYPE} version ${JSON.stringify(o.version)}`);
  const files = o.files;
  if (typeof files !== 'object' || files === null || Array.isArray(files)) throw new InvalidKey(`${name}: "files" must be an object`);
  const out: KeyBackup['files'] = {};
  for (const [f, t] of Object.entries(files)) {
    if (!FILE_NAMES.includes(f)) throw new InvalidKey(`${name}: unexpected file ${JSON.stringify(f)} in the backup`);
    if (typeof t !== 'string') throw new InvalidKey(`${name}: ${f} must be a string`);
    (out as Record<string, string>)[f] = t;
  }
  if (Object.keys(out).length === 0) throw new InvalidKey(`${name}: the backup holds no keys`);
  const check = <T>(f: string, g: () => T): T => {
    try {
      return g();
    } catch (e) {
      if (e instanceof InvalidKey) throw new InvalidKey(`${name}: ${f}: ${e.message}`);
      throw e;
    }
  };
  const summary: [string, string][] = [];
  const a = out['authority.json'] !== undefined ? check('authority.json', () => importAuthority(out['authority.json']!)) : undefined;
  if (a) summary.push(['authority', `${a.id} (epoch ${a.epoch}, schema ${authorityInfo(a).schema.join(', ')})`]);
  if (out['vectors.json'] !== undefined) {
    const ks = check('vectors.json', () => VectorKeyset.import(out['vectors.json']!)).info();
    summary.push(['vector keys', ks.keys.map((k) => `${k.kid}${k.primary ? ' (primary)' : ''}`).join(', ')]);
  }
  if (out['writer.json'] !== undefined) {
    const w = check('writer.json', () => importWriterKey(out['writer.json']!));
    if (a && (w.authorityId !== a.id || w.epoch > a.epoch)) throw new InvalidKey(`${name}: writer.json is for authority ${w.authorityId} epoch ${w.epoch}, not authority ${a.id} at epoch ${a.epoch} or earlier`);
    // Same id is not the same authority: the writer's signing key and the authority public key it
    // carries must be what this authority derives, or the restored directory would sign records
    // its readers refuse (or certify nothing they accept).
    if (a && !equalBytes(w.publicKey, createWriterKey(a, { tenant: w.tenant, epoch: w.epoch }).publicKey)) {
      throw new InvalidKey(`${name}: writer.json is not the writer key authority.json derives for its tenant and epoch`);
    }
    if (a && w.authorityKey !== null && !equalBytes(w.authorityKey.publicKey, a.publicKey.publicKey)) {
      throw new InvalidKey(`${name}: writer.json carries another authority public key than authority.json's`);
    }
    summary.push(['writer key', `authority ${w.authorityId}, epoch ${w.epoch}, tenant ${JSON.stringify(w.tenant)}`]);
  }
  return { created: typeof o.created === 'string' ? o.created : '', files: out, summary };
}

export interface ExportKeysOptions extends GlobalOptions {
  output: string;
  force?: boolean | undefined;
}

export async function keysExport(opts: ExportKeysOptions, io: Io): Promise<void> {
  if (opts.output === '-') throw new UsageError('a key backup is written to a file, never to stdout; give one with -o');
  const kd = keyDirFor(io, opts);
  const files: KeyBackup['files'] = {};
  for (const f of Object.keys(KEY_FILES) as KeyFileName[]) {
    if (await kd.has(f)) files[KEY_FILES[f]] = await kd.read(f, 'key file');
  }
  if (Object.keys(files).length === 0) throw new UsageError(`${kd.dir} holds no keys to back up (run "sealvec init" first, or point --keys at a key directory)`);
  const backup = { created: new Date().toISOString(), files };
  // Checks what is exported, so a backup never carries a damaged key unnoticed.
  const { summary } = parseBackup(encodeBackup(backup), kd.dir);
  const text = await protectSecret(encodeBackup(backup), BACKUP_TYPE, kd.ctx.passphrase.provider('the key backup', 'new'));
  await writeSecretFile(opts.output, text, io, opts.force === true);
  createReporter(io, opts).result({ output: opts.output, keys: kd.dir, files: Object.keys(files), created: backup.created }, [
    `Backed up ${Object.keys(files).join(', ')} from ${kd.dir} to ${opts.output} (passphrase-protected, mode 0600)`,
    ...table(summary).map((l) => `  ${l}`),
    '',
    'Keep the backup and its passphrase apart; restore with: sealvec keys import -i ' + opts.output,
  ]);
}

export interface ImportKeysOptions extends GlobalOptions {
  input: string;
  force?: boolean | undefined;
  /** Passphrase-protect the restored files at rest. */
  protect?: boolean | undefined;
}

/** Largest backup file read (a protected backup of MAX_PROTECTED_PLAINTEXT bytes, in base64url). */
const MAX_BACKUP_FILE = Math.ceil((MAX_PROTECTED_PLAINTEXT * 4) / 3) + 65_536;

async function readBackupFile(path: string, cwd: string): Promise<string> {
  const full = resolve(cwd, path);
  try {
    const st = await stat(full);
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (st.size > MAX_BACKUP_FILE) throw new InvalidKey(`${path} is too large to be a key backup`);
    return await readFile(full, 'utf8');
  } catch (e) {
    if (e instanceof InvalidKey) throw e;
    throw new InputFileError(`cannot read ${path}: ${describeFsError(e)}`);
  }
}

export async function keysImport(opts: ImportKeysOptions, io: Io): Promise<void> {
  // The backup is encrypted and authenticated: it may sit anywhere, so no permission rule here.
  const stored = await readBackupFile(opts.input, io.cwd);
  if (!isProtectedText(stored)) throw new InvalidKey(`${opts.input} is not a sealvec key backup (made by "sealvec keys export")`);
  const kd = keyDirFor(io, opts);
  let plaintext: Uint8Array;
  try {
    ({ plaintext } = await unprotectSecret(stored, kd.ctx.passphrase.provider(opts.input, 'open'), { holds: BACKUP_TYPE }));
  } catch (e) {
    if (e instanceof DecryptionFailed) throw wrongPassphrase(opts.input);
    if (e instanceof InvalidKey) throw new InvalidKey(`${opts.input}: ${e.message}`);
    throw e;
  }
  const backup = parseBackup(new TextDecoder().decode(plaintext), opts.input);
  plaintext.fill(0);
  const dir = defaultKeyDir(io, opts.keys);
  const present: string[] = [];
  for (const f of Object.keys(KEY_FILES) as KeyFileName[]) if (await kd.has(f)) present.push(KEY_FILES[f]);
  if (present.length > 0 && !opts.force) {
    throw new UsageError(`${dir} already holds keys (${present.join(', ')}); use --force to replace them with the backup's`);
  }
  await ensureKeyDir(dir);
  const restored: string[] = [];
  for (const f of Object.keys(KEY_FILES) as KeyFileName[]) {
    const text = backup.files[KEY_FILES[f]];
    if (text === undefined) continue;
    await kd.write(f, text, { force: true, protect: opts.protect === true });
    restored.push(KEY_FILES[f]);
  }
  createReporter(io, opts).result({ keys: dir, files: restored, created: backup.created, protected: opts.protect === true }, [
    `Restored ${restored.join(', ')} to ${dir} (mode 0600${opts.protect ? ', passphrase-protected' : ''}) from a backup made ${backup.created || 'at an unknown time'}`,
    ...table(backup.summary).map((l) => `  ${l}`),
  ]);
}
