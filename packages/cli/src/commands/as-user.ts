/**
 * Opening a collection as a user (search, get, export): the user key, the vector keyset, the
 * store and the collection. A key of another authority or tenant opens nothing there: refused up
 * front with the diagnosis (exit 6). The caller closes `backend`.
 */
import { SchemeUnauthenticated, type UserKey } from '@sealvec/core';
import { diagnose, SealedCollection, type Backend } from '@sealvec/qdrant';
import { headerFacts, noAccess } from '../access.js';
import { loadAuthorityPublicKey, readerTrust, v1UserKey } from '../authority-key.js';
import { openBackend, type BackendOptions } from '../backend.js';
import type { GlobalOptions } from '../global-options.js';
import type { Io } from '../io.js';
import { keyContext, keyDirFor, loadUserKey } from '../keyfiles.js';
import { collectionTrust, DEFAULT_COLLECTION } from '../scheme.js';

export interface AsUserOptions extends BackendOptions, GlobalOptions {
  key: string;
  collection?: string | undefined;
  /** Default: the key's tenant. */
  tenant?: string | undefined;
  /** Read a format v1 collection, whose scheme is not signed. */
  allowV1?: boolean | undefined;
  /** The authority public key file to verify with (else the user key's own copy). */
  authority?: string | undefined;
}

export interface UserCollection {
  user: UserKey;
  col: SealedCollection;
  backend: Backend;
  /** "embedded store DIR" or "Qdrant at URL". */
  label: string;
  name: string;
}

/** Reads the key files, then (`beforeOpen`, e.g. reading queries) opens the store and the collection. */
export async function openAsUser(opts: AsUserOptions, io: Io, beforeOpen?: () => Promise<void>): Promise<UserCollection> {
  const ctx = keyContext(io, opts);
  const user = await loadUserKey(opts.key, ctx);
  const pinned = opts.authority === undefined ? undefined : await loadAuthorityPublicKey(opts.authority, io);
  const trust = readerTrust(user, opts.key, pinned);
  const keyset = await keyDirFor(io, opts, ctx).keyset();
  await beforeOpen?.();
  const name = opts.collection ?? DEFAULT_COLLECTION;
  const tenant = opts.tenant ?? user.tenant;
  const { backend, label } = await openBackend(opts, io);
  try {
    let col: SealedCollection;
    try {
      // The user's own key (or --authority) says which authority to trust; the collection's scheme must be signed by it.
      const v1 = await collectionTrust(backend, name, opts.allowV1 === true, (line) => io.stderr.write(`${line}\n`));
      // A v1 user key has no authority public key: it can read only a v1 collection (--allow-v1).
      if (trust === null && !v1.acceptUnauthenticatedV1) throw v1UserKey(opts.key, true);
      col = await SealedCollection.open(backend, { name, keyset, tenant, authority: trust ?? user, ...v1 });
    } catch (e) {
      // A collection of another authority fails verification: say "wrong authority" (exit 6),
      // naming the authority its (unverified) metadata claims.
      const claimed = (await backend.describe(name).catch(() => null))?.metadata?.authority;
      if (e instanceof SchemeUnauthenticated && typeof claimed === 'string' && claimed !== user.authorityId) {
        const kids = keyset.info().keys.map((k) => k.kid);
        throw noAccess(opts.key, diagnose(headerFacts(user, { collection: name, authority: claimed, tenant }, kids)), { collection: name });
      }
      throw e;
    }
    if (user.authorityId !== col.scheme.authority || user.tenant !== tenant) throw noAccess(opts.key, await col.diagnoseAccess(user), { collection: name });
    // Verified with --authority, but a v1 user key cannot check the records' signatures.
    if (col.scheme.version === 2 && user.writerPublicKey === null) throw v1UserKey(opts.key);
    return { user, col, backend, label, name };
  } catch (e) {
    await backend.close();
    throw e;
  }
}
