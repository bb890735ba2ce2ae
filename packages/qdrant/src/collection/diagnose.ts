/**
 * Why a user key opened nothing in a collection: a wrong authority, tenant or epoch, vector keys
 * the keyset no longer holds, or no record sealed for any tuple the key holds. Searching with such
 * a key returns zero results, which looks exactly like "no match"; this tells the two apart.
 *
 * Built from public facts only (counts, epochs and key ids stored in the clear, whether records
 * carry one of the key's pre-filter tokens, the key's own epoch, tenant and authority): it opens
 * no record and reveals nothing the key holder could not learn from the store directly. In
 * post-filter mode (no tokens stored) a policy mismatch cannot be told from public facts, and the
 * diagnosis says so instead of guessing.
 *
 * `diagnose` is pure (facts -> verdict); `gatherAccessFacts` does the I/O.
 */
import { userPrefilterTokens, type UserKey } from '@sealvec/core';
import type { Backend } from '../backend/types.js';
import { countRecords, sampleRecords } from './census.js';

export type AccessReason =
  /** The key opens records here: zero results are a genuine "no match" (a query, a filter). */
  | 'ok'
  /** The collection holds no records at all. */
  | 'empty'
  /** The key belongs to another authority than the collection. */
  | 'wrong-authority'
  /** The key is for another tenant than the handle, or the key's tenant has no records. */
  | 'wrong-tenant'
  /** The tenant's records are under vector keys the keyset does not hold (retired). */
  | 'unknown-vector-key'
  /** The key is older than the records (they were rewrapped to a later epoch). */
  | 'stale-epoch'
  /** The key is newer than the records (they have not been rewrapped yet). */
  | 'future-epoch'
  /** Same epoch, but no record is sealed for a tuple the key holds. */
  | 'no-matching-tuple'
  /** Post-filter mode: whether the key satisfies any policy cannot be told from public facts. */
  | 'undetermined';

export interface AccessFacts {
  collection: string;
  /** The authority the collection is sealed for, and the tenant of the handle. */
  collectionAuthority: string;
  tenant: string;
  key: { authority: string; tenant: string; epoch: number; tuples: number };
  /** Vector key ids of the keyset in use. */
  keysetKids: string[];
  /** Records of every tenant, and of the handle's tenant. */
  totalRecords: number;
  tenantRecords: number;
  /** Epochs and vector key ids seen in a small sample of the tenant's records. */
  sampleEpochs: number[];
  sampleKids: string[];
  /** Records of the tenant at the key's epoch. */
  keyEpochRecords: number;
  /** Records of the tenant carrying one of the key's pre-filter tokens; null in post-filter mode. */
  tokenMatches: number | null;
}

export interface AccessDiagnosis {
  reason: AccessReason;
  /** True when the key cannot open any record of the collection, for a reason the message names. */
  opensNothing: boolean;
  /** One sentence for humans (public facts only). */
  message: string;
  facts: AccessFacts;
}

const list = (xs: readonly (string | number)[]) => xs.join(', ');

export function diagnose(f: AccessFacts): AccessDiagnosis {
  const verdict = (reason: AccessReason, opensNothing: boolean, message: string): AccessDiagnosis => ({ reason, opensNothing, message, facts: f });
  const col = `collection "${f.collection}"`;
  const tenant = JSON.stringify(f.tenant);
  if (f.key.authority !== f.collectionAuthority) {
    return verdict('wrong-authority', true, `the key belongs to authority ${f.key.authority}, but ${col} is sealed for authority ${f.collectionAuthority}`);
  }
  if (f.key.tenant !== f.tenant) {
    return verdict('wrong-tenant', true, `the key is for tenant ${JSON.stringify(f.key.tenant)}, but this handle is for tenant ${tenant}`);
  }
  if (f.totalRecords === 0) return verdict('empty', false, `${col} holds no records`);
  if (f.tenantRecords === 0) {
    return verdict('wrong-tenant', true, `${col} holds ${f.totalRecords} records, none for tenant ${tenant} (the key's tenant)`);
  }
  const known = f.sampleKids.filter((k) => f.keysetKids.includes(k));
  if (f.sampleKids.length > 0 && known.length === 0) {
    return verdict(
      'unknown-vector-key',
      true,
      `the records of tenant ${tenant} are under vector key${f.sampleKids.length > 1 ? 's' : ''} ${list(f.sampleKids)}, which the keyset does not hold (it holds ${list(f.keysetKids)})`,
    );
  }
  if (f.tokenMatches !== null && f.tokenMatches > 0) {
    return verdict('ok', false, `the key opens records of ${col} (${f.tokenMatches} carry one of its pre-filter tokens): nothing matched the query`);
  }
  if (f.keyEpochRecords === 0 && f.sampleEpochs.length > 0) {
    const newest = f.sampleEpochs[f.sampleEpochs.length - 1]!;
    if (f.key.epoch < newest) {
      return verdict('stale-epoch', true, `the key is for epoch ${f.key.epoch}, but the records of ${col} are at epoch ${list(f.sampleEpochs)} (the key is older than the records)`);
    }
    return verdict('future-epoch', true, `the key is for epoch ${f.key.epoch}, but the records of ${col} are still at epoch ${list(f.sampleEpochs)} (not yet rewrapped to the key's epoch)`);
  }
  if (f.tokenMatches === null) {
    return verdict('undetermined', false, `${col} stores no pre-filter tokens (post-filter mode), so whether the key satisfies any record's policy cannot be told without opening records`);
  }
  return verdict(
    'no-matching-tuple',
    true,
    `none of the ${f.tenantRecords} records of ${col}${f.tenant ? ` for tenant ${tenant}` : ''} is sealed for a policy this key satisfies (the key holds ${f.key.tuples} attribute tuple${f.key.tuples === 1 ? '' : 's'} at epoch ${f.key.epoch})`,
  );
}

export interface DiagnoseTarget {
  backend: Backend;
  name: string;
  tenant: string;
  authority: string;
  prefilter: boolean;
  keysetKids: readonly string[];
}

/** Collects the facts `diagnose` needs: a few counts and one small page of public fields. */
export async function gatherAccessFacts(t: DiagnoseTarget, userKey: UserKey): Promise<AccessFacts> {
  if (userKey?.kind !== 'user') throw new TypeError('"userKey" expected a UserKey');
  const [totalRecords, tenantRecords, sample, keyEpochRecords] = await Promise.all([
    countRecords(t.backend, t.name),
    countRecords(t.backend, t.name, { tenant: t.tenant }),
    sampleRecords(t.backend, t.name, { tenant: t.tenant }),
    countRecords(t.backend, t.name, { tenant: t.tenant, epoch: userKey.epoch }),
  ]);
  // Tokens are only meaningful for a key of this authority and tenant (they derive from its tuple keys).
  const comparable = userKey.authorityId === t.authority && userKey.tenant === t.tenant;
  const tokenMatches = !t.prefilter ? null : comparable ? await countRecords(t.backend, t.name, { tenant: t.tenant, prefilterAny: userPrefilterTokens(userKey, t.name) }) : 0;
  return {
    collection: t.name,
    collectionAuthority: t.authority,
    tenant: t.tenant,
    key: { authority: userKey.authorityId, tenant: userKey.tenant, epoch: userKey.epoch, tuples: userKey.tuples.length },
    keysetKids: [...t.keysetKids],
    totalRecords,
    tenantRecords,
    sampleEpochs: sample.epochs,
    sampleKids: sample.kids,
    keyEpochRecords,
    tokenMatches,
  };
}

export async function diagnoseAccess(t: DiagnoseTarget, userKey: UserKey): Promise<AccessDiagnosis> {
  return diagnose(await gatherAccessFacts(t, userKey));
}
