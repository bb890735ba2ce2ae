/**
 * The key directory and key files.
 *
 *   <keys>/                 mode 0700; --keys DIR, else $SEALVEC_KEYS, else ./.sealvec/keys
 *     authority.json        the authority (master secret, schema, current epoch)
 *     vectors.json          the vector keyset (primary + older keys still valid for reading)
 *     writer.json           the writer key of the current epoch (default tenant)
 *   alice.key, ...          user keys, wherever the operator writes them (`keys issue -o`)
 *
 * Every file holding a secret is written atomically with mode 0600, and read with a warning when
 * others can read it. Nothing here prints a secret: callers show the secret-free `info` views.
 * An ingest machine needs only vectors.json and writer.json; the authority can stay offline.
 */
import { stat, mkdir, readFile, chmod } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  createWriterKey,
  importAuthority,
  importUserKey,
  importWriterKey,
  InvalidKey,
  VectorKeyset,
  type Authority,
  type UserKey,
  type WriterKey,
} from '@sealvec/core';
import { describeFsError, KeyFileError } from './errors.js';
import type { Io } from './io.js';
import { writeFileAtomic } from './output/atomic.js';

export const KEY_FILES = Object.freeze({
  authority: 'authority.json',
  vectors: 'vectors.json',
  writer: 'writer.json',
});

export const SECRET_FILE_MODE = 0o600;
export const KEY_DIR_MODE = 0o700;

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
    throw new KeyFileError(`cannot create key directory ${dir}: ${describeFsError(e)}`, { cause: e });
  }
}

/** Writes a secret file (0600, atomic). Refuses to replace an existing file unless `force`. */
export async function writeSecretFile(path: string, text: string, io: Pick<Io, 'cwd'>, force: boolean): Promise<void> {
  if (path === '-') throw new KeyFileError('key files are never written to stdout (give a file name with -o)');
  await writeFileAtomic(path, text.endsWith('\n') ? text : `${text}\n`, io.cwd, { mode: SECRET_FILE_MODE, exclusive: !force });
}

/** Reads a key file; warns (once per file) when group or others may read it. */
export async function readSecretFile(path: string, what: string, io: Pick<Io, 'stderr' | 'cwd'>, hint = ''): Promise<string> {
  const full = resolve(io.cwd, path);
  let text: string;
  try {
    const st = await stat(full);
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (st.size > 4 * 1024 * 1024) throw new KeyFileError(`${what} ${path} is too large to be a key file`);
    if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
      io.stderr.write(`sealvec: warning: ${path} is readable by others (mode ${(st.mode & 0o777).toString(8)}); run chmod 600 ${path}\n`);
    }
    text = await readFile(full, 'utf8');
  } catch (e) {
    if (e instanceof KeyFileError) throw e;
    throw new KeyFileError(`cannot read ${what} ${path}: ${describeFsError(e)}${hint}`, { cause: e });
  }
  return text;
}

/** Turns an import failure into a message naming the file (InvalidKey keeps exit code 3). */
function parsed<T>(path: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof InvalidKey) throw new InvalidKey(`${path}: ${e.message}`);
    throw e;
  }
}

export class KeyDir {
  readonly dir: string;
  readonly #io: Pick<Io, 'stderr' | 'cwd'>;

  constructor(dir: string, io: Pick<Io, 'stderr' | 'cwd'>) {
    this.dir = dir;
    this.#io = io;
  }

  path(file: keyof typeof KEY_FILES): string {
    return join(this.dir, KEY_FILES[file]);
  }

  async has(file: keyof typeof KEY_FILES): Promise<boolean> {
    return exists(this.path(file));
  }

  async #read(file: keyof typeof KEY_FILES, what: string): Promise<string> {
    const hint = ' (run "sealvec init" first, or point --keys or SEALVEC_KEYS at a key directory)';
    return readSecretFile(this.path(file), what, this.#io, hint);
  }

  async authority(): Promise<Authority> {
    const text = await this.#read('authority', 'authority');
    return parsed(this.path('authority'), () => importAuthority(text));
  }

  async keyset(): Promise<VectorKeyset> {
    const text = await this.#read('vectors', 'vector keyset');
    return parsed(this.path('vectors'), () => VectorKeyset.import(text));
  }

  /**
   * The writer key for `tenant` at the current epoch: writer.json when it matches, else derived
   * from the authority when this directory holds it.
   */
  async writer(tenant = ''): Promise<WriterKey> {
    if (await this.has('writer')) {
      const text = await this.#read('writer', 'writer key');
      const w = parsed(this.path('writer'), () => importWriterKey(text));
      if (w.tenant === tenant) {
        if (await this.has('authority')) {
          const a = await this.authority();
          if (a.epoch !== w.epoch || a.id !== w.authorityId) return createWriterKey(a, { tenant });
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

export async function loadUserKey(path: string, io: Pick<Io, 'stderr' | 'cwd'>): Promise<UserKey> {
  const text = await readSecretFile(path, 'user key', io);
  return parsed(path, () => importUserKey(text));
}
