/**
 * "No silent emptiness": when a search, get, export or decrypt opens nothing, the CLI asks why
 * (@sealvec/qdrant's diagnosis, from public facts only) and, when the key can open nothing
 * here, fails with exit 6 and a message that says what to do. A genuine "no match" stays exit 0.
 * For sealed files the same pure `diagnose` runs on facts gathered while reading the file.
 */
import { userPrefilterTokens, type UserKey } from '@sealvec/core';
import type { AccessDiagnosis, AccessFacts } from '@sealvec/qdrant';
import { NoAccessError } from './errors.js';

/** What to do about it, per reason (the library's message says what is wrong). */
export function accessHint(d: AccessDiagnosis, target: { collection?: string; file?: string }): string {
  const where = target.file !== undefined ? `-i ${target.file} -o ${target.file}` : `--collection ${target.collection ?? 'NAME'}`;
  switch (d.reason) {
    case 'stale-epoch':
      return 'ask the operator for a key of the current epoch ("sealvec keys issue ...")';
    case 'future-epoch':
      return `the operator must move the records to the new epoch: "sealvec rewrap ${where}"`;
    case 'unknown-vector-key':
      return 'restore the retired vector key ("sealvec keys import" from a backup), or re-ingest the records';
    case 'no-matching-tuple':
      return 'the key\'s attributes satisfy no record\'s policy: compare "sealvec keys info KEY" with the policies the records were sealed with (--policy at ingest)';
    case 'wrong-tenant':
      return 'use a key issued for the records\' tenant, or the --tenant they were stored under';
    case 'wrong-authority':
      return 'use a key issued by the authority that sealed the records';
    default:
      return '';
  }
}

/** The exit-6 error for a diagnosis that says the key opens nothing. */
export function noAccess(subject: string, d: AccessDiagnosis, target: { collection?: string; file?: string }): NoAccessError {
  const hint = accessHint(d, target);
  return new NoAccessError(`${subject} opens nothing: ${d.message}${hint ? `; ${hint}` : ''}`, d.reason);
}

/** Collects a sealed file's public facts record by record, for `diagnose`. */
export class FileAccessFacts {
  records = 0;
  readonly #epochs = new Set<number>();
  readonly #kids = new Set<string>();
  #atKeyEpoch = 0;
  #tokenMatches = 0;
  readonly #tokens: Set<string> | null;
  readonly #user: UserKey;

  constructor(user: UserKey, collection: string, prefilter: boolean) {
    this.#user = user;
    this.#tokens = prefilter ? new Set(userPrefilterTokens(user, collection)) : null;
  }

  add(rec: { epoch: number; kid: string; prefilter?: readonly string[] | undefined }): void {
    this.records++;
    this.#epochs.add(rec.epoch);
    this.#kids.add(rec.kid);
    if (rec.epoch === this.#user.epoch) this.#atKeyEpoch++;
    if (this.#tokens !== null && rec.prefilter?.some((t) => this.#tokens!.has(t))) this.#tokenMatches++;
  }

  facts(file: { collection: string; authority: string; tenant: string }, keysetKids: readonly string[]): AccessFacts {
    const u = this.#user;
    return {
      collection: file.collection,
      collectionAuthority: file.authority,
      tenant: file.tenant,
      key: { authority: u.authorityId, tenant: u.tenant, epoch: u.epoch, tuples: u.tuples.length },
      keysetKids: [...keysetKids],
      totalRecords: this.records,
      tenantRecords: this.records,
      sampleEpochs: [...this.#epochs].sort((a, b) => a - b),
      sampleKids: [...this.#kids].sort(),
      keyEpochRecords: this.#atKeyEpoch,
      tokenMatches: this.#tokens === null ? null : this.#tokenMatches,
    };
  }
}

/** Facts for a key that does not fit a file's header at all (authority, tenant): nothing to read. */
export function headerFacts(user: UserKey, file: { collection: string; authority: string; tenant: string }, keysetKids: readonly string[]): AccessFacts {
  return new FileAccessFacts(user, file.collection, false).facts(file, keysetKids);
}
