/**
 * What a reader verifies schemes with. By default the authority public key its own user key
 * carries; with `--authority FILE` the authority public key file (`sealvec keys public`), which an
 * operator distributes like configuration so a reader machine pins the authority itself and needs
 * no writer or authority secret. The file holds no secret but decides which schemes are accepted,
 * so it is refused when group or others can write it, and the user key must agree with it.
 */
import { stat, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { equalBytes, importAuthorityPublicKey, InvalidKey, type AuthorityPublicKey, type UserKey } from '@sealvec/core';
import { describeFsError, KeyFileError } from './errors.js';
import type { Io } from './io.js';
import { parsed, permissionProblem } from './keyfiles.js';

/** Larger than any authority public key file (about 150 bytes). */
const MAX_PUBLIC_KEY_FILE = 64 * 1024;

export interface PinnedAuthority {
  key: AuthorityPublicKey;
  /** The file it came from, as given (for messages). */
  path: string;
}

/** Reads `--authority FILE`. Readable by anyone is fine (it is public); writable by others is not. */
export async function loadAuthorityPublicKey(path: string, io: Pick<Io, 'cwd'>): Promise<PinnedAuthority> {
  const full = resolve(io.cwd, path);
  let text: string;
  try {
    const st = await stat(full);
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (st.size > MAX_PUBLIC_KEY_FILE) throw new KeyFileError(`${path} is too large to be an authority public key`);
    // Only the write bits matter here: the read bits are masked off before the key-file rule.
    const p = process.platform === 'win32' ? {} : permissionProblem(path, st.mode & ~0o044, false);
    if (p.refuse) throw new KeyFileError(p.refuse);
    text = await readFile(full, 'utf8');
  } catch (e) {
    if (e instanceof KeyFileError) throw e;
    throw new KeyFileError(`cannot read the authority public key ${path}: ${describeFsError(e)}`);
  }
  return { key: parsed(path, () => importAuthorityPublicKey(text)), path };
}

/**
 * The coded error for a user key file from before writer signatures (exit 3). `readsV1`: say how
 * it can still read format v1 data (with the authority's public key given separately).
 */
export function v1UserKey(keyName: string, readsV1 = false): InvalidKey {
  return new InvalidKey(
    `${keyName} predates writer signatures (key format v1): it cannot check the records' or the scheme's signatures and must be issued again ("sealvec keys issue" with the same attributes)${
      readsV1 ? '; to read format v1 data with it meanwhile, add --allow-v1 (or --authority FILE, written by "sealvec keys public")' : ''
    }`,
  );
}

/**
 * The authority public key that verifies schemes for `user`: the pinned one (the user key must be
 * of that authority and, if it carries a copy, hold the same key), else the user key's own; null
 * for a v1 user key without a pinned key (enough only for format v1 data, whose scheme is unsigned).
 */
export function readerTrust(user: UserKey, keyName: string, pinned: PinnedAuthority | undefined): AuthorityPublicKey | null {
  if (pinned === undefined) return user.authorityKey;
  if (user.authorityId !== pinned.key.id) {
    throw new InvalidKey(`${keyName} was issued by authority ${user.authorityId}, but ${pinned.path} is the public key of authority ${pinned.key.id}`);
  }
  if (user.authorityKey !== null && !equalBytes(user.authorityKey.publicKey, pinned.key.publicKey)) {
    throw new InvalidKey(`${keyName} and ${pinned.path} hold different public keys for authority ${pinned.key.id}: one of the two files is not genuine`);
  }
  return pinned.key;
}

