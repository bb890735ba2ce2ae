/**
 * The key directory and key files.
 *
 *   <keys>/                 mode 0700; --keys DIR, else $SEALVEC_KEYS, else ./.sealvec/keys
 *     authority.json        the authority (master secret, schema, current epoch)
 *     vectors.json          the vector keyset (primary + older keys still valid for reading)
 *     writer.json           the writer key of the current epoch (default tenant)
 *   alice.key, ...          user keys, wherever the operator writes them (`keys issue -o`)
 *
 * Every file holding a secret is written atomically with mode 0600. Reading one refuses it when
 * group or others may write it (whoever can write it can swap the key), and when they may read
 * it unless --allow-readable-keys says otherwise. Any of them may be passphrase-protected at rest
 * (a sealvec/protected container, see docs/keys.md): it is opened transparently, asking for the
 * passphrase once, and written back protected. Nothing here prints a secret: callers show the
 * secret-free `info` views. An ingest machine needs only vectors.json and writer.json; the
 * authority can stay offline.
 */
import { stat, mkdir, readFile, chmod } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  createWriterKey,
  DecryptionFailed,
  importAuthority,
  importUserKey,
  importWriterKey,
  InvalidKey,
  isProtectedText,
  protectSecret,
  unprotectSecret,
  VectorKeyset,
  type Authority,
  type UserKey,
  type WriterKey,
} from '@sealvec/core';
import { CliError, describeFsError, EXIT, KeyFileError, UsageError } from './errors.js';
import type { Io } from './io.js';
import { OutputExists, writeFileAtomic } from './output/atomic.js';
import { PassphraseSource } from './passphrase.js';

export const KEY_FILES = Object.freeze({
  authority: 'authority.json',
  vectors: 'vectors.json',
  writer: 'writer.json',
});
export type KeyFileName = keyof typeof KEY_FILES;

export const SECRET_FILE_MODE = 0o600;
export const KEY_DIR_MODE = 0o700;

/** What reading and writing key files needs: the outside world, the permission rule, the passphrase. */
export interface KeyContext {
  io: Pick<Io, 'stderr' | 'cwd' | 'env' | 'prompt'>;
  /** Accept key files group or others can read (--allow-readable-keys). Never ones they can write. */
  allowReadable: boolean;
  passphrase: PassphraseSource;
}

export function keyContext(io: KeyContext['io'], opts: { allowReadableKeys?: boolean | undefined }): KeyContext {
  return { io, allowReadable: opts.allowReadableKeys === true, passphrase: new PassphraseSource(io) };
}

export function defaultKeyDir(io: Pick<Io, 'env' | 'cwd'>, explicit?: string): string {
  if (explicit !== undefined) return resolve(io.cwd, explicit);
  const fromEnv = io.env.SEALVEC_KEYS;
  if (fromEnv !== undefined && fromEnv !== '') return resolve(io.cwd, fromEnv);
  return resolve(io.cwd, '.sealvec', 'keys');
}

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

export async function ensureKeyDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: KEY_DIR_MODE });
    await chmod(dir, KEY_DIR_MODE);
  } catch (e) {
    throw new KeyFileError(`cannot create key directory ${dir}: ${describeFsError(e)}`);
  }
}

/**
 * The permission rule for a key file of mode `mode` (pure): a message when it must be refused,
 * a warning when it is accepted only thanks to --allow-readable-keys, else nothing.
 */
export function permissionProblem(path: string, mode: number, allowReadable: boolean): { refuse?: string; warn?: string } {
  const m = (mode & 0o777).toString(8);
  if ((mode & 0o022) !== 0) {
    return { refuse: `${path} is writable by group or others (mode ${m}): refusing a key file someone else could replace; run chmod 600 ${path}` };
  }
  if ((mode & 0o044) !== 0) {
    if (!allowReadable) {
      return { refuse: `${path} is readable by group or others (mode ${m}); run chmod 600 ${path}, or pass --allow-readable-keys to accept it` };
    }
    return { warn: `${path} is readable by others (mode ${m}); accepted because of --allow-readable-keys` };
  }
  return {};
}

/** Reads a key file as stored (possibly a protected container), applying the permission rule. */
export async function readSecretFile(path: string, what: string, ctx: Pick<KeyContext, 'io' | 'allowReadable'>, hint = ''): Promise<string> {
  const full = resolve(ctx.io.cwd, path);
  try {
    const st = await stat(full);
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (st.size > 8 * 1024 * 1024) throw new KeyFileError(`${what} ${path} is too large to be a key file`);
    if (process.platform !== 'win32') {
      const p = permissionProblem(path, st.mode, ctx.allowReadable);
      if (p.refuse) throw new KeyFileError(p.refuse);
      if (p.warn) ctx.io.stderr.write(`sealvec: warning: ${p.warn}\n`);
    }
    return await readFile(full, 'utf8');
  } catch (e) {
    if (e instanceof KeyFileError) throw e;
    throw new KeyFileError(`cannot read ${what} ${path}: ${describeFsError(e)}${hint}`);
  }
}

/** The key's type ("sealvec/user-key", ...), read from its JSON; what a protected container holds. */
export function keyTypeOf(text: string, name: string): string {
  try {
    const t = (JSON.parse(text) as { type?: unknown }).type;
    if (typeof t === 'string') return t;
  } catch {
    // Reported below.
  }
  throw new InvalidKey(`${name}: not a sealvec key file`);
}

/** A wrong passphrase (or an edited file) as one message with no detail. */
export function wrongPassphrase(name: string): CliError {
  return new CliError(`${name}: wrong passphrase, or the file was altered`, EXIT.CRYPTO, 'ERR_DECRYPTION_FAILED');
}

export interface KeyText {
  /** The key's own JSON (opened when the file was protected). */
  text: string;
  /** Whether the file on disk is passphrase-protected. */
  protected: boolean;
}

/** Reads a key file and opens it when passphrase-protected (`askFor` names it in the prompt). */
export async function readKeyText(path: string, what: string, ctx: KeyContext, hint = '', askFor = path): Promise<KeyText> {
  const stored = await readSecretFile(path, what, ctx, hint);
  if (!isProtectedText(stored)) return { text: stored, protected: false };
  try {
    const { plaintext } = await unprotectSecret(stored, ctx.passphrase.provider(askFor, 'open'));
    return { text: new TextDecoder().decode(plaintext), protected: true };
  } catch (e) {
    if (e instanceof DecryptionFailed) throw wrongPassphrase(path);
    if (e instanceof InvalidKey) throw new InvalidKey(`${path}: ${e.message}`);
    throw e;
  }
}

/**
 * Writes a key file (0600, atomic), passphrase-protected when `protect`. Refuses to replace an
 * existing file unless `force`, and says so (exit 2).
 */
export async function writeKeyText(path: string, text: string, ctx: KeyContext, options: { force: boolean; protect: boolean; askFor?: string }): Promise<void> {
  if (path === '-') throw new UsageError('key files are never written to stdout (give a file name with -o)');
  const body = options.protect ? await protectSecret(text, keyTypeOf(text, path), ctx.passphrase.provider(options.askFor ?? path, 'new')) : text;
  await writeSecretFile(path, body, ctx.io, options.force);
}

/** Writes a file holding secrets (0600, atomic); refuses to replace one unless `force`. */
export async function writeSecretFile(path: string, text: string, io: Pick<Io, 'cwd'>, force: boolean): Promise<void> {
  if (path === '-') throw new UsageError('key files are never written to stdout (give a file name with -o)');
  try {
    await writeFileAtomic(path, text.endsWith('\n') ? text : `${text}\n`, io.cwd, { mode: SECRET_FILE_MODE, exclusive: !force });
  } catch (e) {
    if (e instanceof OutputExists) throw new UsageError(`${path} already exists; use --force to replace it`);
    throw e;
  }
}

/** Turns an import failure into a message naming the file (InvalidKey keeps exit code 3). */
export function parsed<T>(path: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof InvalidKey) throw new InvalidKey(`${path}: ${e.message}`);
    throw e;
  }
}

export class KeyDir {
  readonly dir: string;
  readonly ctx: KeyContext;
  /** Files found protected when read: written back protected. */
  readonly #protected = new Set<KeyFileName>();

  constructor(dir: string, ctx: KeyContext) {
    this.dir = dir;
    this.ctx = ctx;
  }

  path(file: KeyFileName): string {
    return join(this.dir, KEY_FILES[file]);
  }

  async has(file: KeyFileName): Promise<boolean> {
    return exists(this.path(file));
  }

  /** The key JSON of one file (opened when protected). */
  async read(file: KeyFileName, what: string): Promise<string> {
    const hint = ' (run "sealvec init" first, or point --keys or SEALVEC_KEYS at a key directory)';
    const k = await readKeyText(this.path(file), what, this.ctx, hint, `the key directory ${this.dir}`);
    if (k.protected) this.#protected.add(file);
    return k.text;
  }

  /** Whether the file on disk is a protected container (without opening it). */
  async isProtected(file: KeyFileName): Promise<boolean> {
    if (this.#protected.has(file)) return true;
    if (!(await this.has(file))) return false;
    return isProtectedText(await readSecretFile(this.path(file), 'key file', this.ctx));
  }

  /** Replaces one file, keeping its protection (unless `protect` says otherwise). */
  async write(file: KeyFileName, text: string, options: { force?: boolean; protect?: boolean } = {}): Promise<void> {
    const protect = options.protect ?? (await this.isProtected(file));
    await writeKeyText(this.path(file), text, this.ctx, { force: options.force ?? true, protect, askFor: `the key directory ${this.dir}` });
  }

  async authority(): Promise<Authority> {
    const text = await this.read('authority', 'authority');
    return parsed(this.path('authority'), () => importAuthority(text));
  }

  async keyset(): Promise<VectorKeyset> {
    const text = await this.read('vectors', 'vector keyset');
    return parsed(this.path('vectors'), () => VectorKeyset.import(text));
  }

  /**
   * The writer key for `tenant` at the current epoch: writer.json when it matches, else derived
   * from the authority when this directory holds it (also when writer.json is of key format v1,
   * as a v1 directory left it: such a key carries no certificate, so it cannot sign a scheme).
   */
  async writer(tenant = ''): Promise<WriterKey> {
    if (await this.has('writer')) {
      const text = await this.read('writer', 'writer key');
      const w = parsed(this.path('writer'), () => importWriterKey(text));
      if (w.tenant === tenant) {
        if (await this.has('authority')) {
          const a = await this.authority();
          if (a.epoch !== w.epoch || a.id !== w.authorityId || w.authorityKey === null) return createWriterKey(a, { tenant });
        }
        return w;
      }
    }
    if (await this.has('authority')) return createWriterKey(await this.authority(), { tenant });
    throw new KeyFileError(
      `no writer key for tenant ${JSON.stringify(tenant)} in ${this.dir} (writer.json is for another tenant or missing, and authority.json is absent)`,
    );
  }
}

/** The key directory a command uses, from --keys / SEALVEC_KEYS and the global key flags. */
export function keyDirFor(io: KeyContext['io'], opts: { keys?: string | undefined; allowReadableKeys?: boolean | undefined }, ctx: KeyContext = keyContext(io, opts)): KeyDir {
  return new KeyDir(defaultKeyDir(io, opts.keys), ctx);
}

export async function loadUserKey(path: string, ctx: KeyContext): Promise<UserKey> {
  const { text } = await readKeyText(path, 'user key', ctx);
  return parsed(path, () => importUserKey(text));
}
