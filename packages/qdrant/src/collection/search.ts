/**
 * Search over a sealed collection: candidates from the store, the exact re-rank on the client,
 * and payloads and writer signatures checked for the final k only.
 *
 * Two paths, chosen by what the collection stores and by the filter mode:
 *
 * - Lean (pre-filter mode, exact vectors stored, re-rank on, format v2 key): one query per live
 *   key fetches, for each candidate, only the fields the re-rank needs (CANDIDATE_FIELDS: no
 *   ciphertext vector, no payload, no signature). Each candidate is opened for its exact vector
 *   alone (one header unwrap without the header MAC, one AEAD: the AEAD under the unwrapped data
 *   key is what authenticates x, and the rest is checked with the full record). The best k are then fetched in full (one
 *   retrieve) and opened with `open`, which checks the writer's signature and decrypts the
 *   payload; a candidate whose full record fails, or whose exact vector differs from the one it
 *   was ranked with, is skipped and the next one is fetched (a retrieve more, only when the
 *   store misbehaves). In this mode the store already knows, from the pre-filter tokens, which
 *   records the user can open; the final retrieve tells it which of them ranked first.
 *
 * - Full (post-filter mode, or no exact vectors, or no re-rank, or a v1 key): one query per live
 *   key with everything, a fixed number of candidates, and all the rest done locally. The number
 *   of round trips never depends on which candidates this key opened (issue #9, finding 3): the
 *   store cannot learn from the requests which records the user can open.
 *
 * In both, results are de-duplicated by record id and by point id, and a point whose id is not
 * the one its record id maps to (a copy under a fresh id) is skipped.
 */
import {
  CANDIDATE_FIELDS,
  DecryptionFailed,
  decodeStoredCandidate,
  decodeStoredPoint,
  type JsonValue,
  type Metric,
  type Scheme,
  type SealedRecord,
  type UserKey,
} from '@sealvec/core';
import type { Backend, Filter, Payload, ScoredPoint, SearchParams } from '../backend/types.js';
import type { Logger } from '../log.js';
import type { KeyCiphers } from './ciphers.js';
import { candidateFilter } from './filters.js';
import { pointIdOf } from './point-id.js';
import { approximateScore, betterFirst, exactScore, prepareQuery } from './scoring.js';

export interface SearchHit {
  id: string;
  /** cosine similarity, Euclidean distance or inner product (see scoring.ts). */
  score: number;
  payload: JsonValue;
  vector?: Float32Array;
}

export interface SkippedRecord {
  /** Point id in the backend, and the caller id when it could be read. */
  pointId: string;
  id?: string;
  code: string;
  message: string;
}

export interface SearchResult {
  hits: SearchHit[];
  /** Stored points that could not be decoded or verified (edited in the database); the rest still returned. */
  skipped: SkippedRecord[];
  /** Candidates fetched from the database (after de-duplication), and how many this key opened. */
  candidates: number;
  opened: number;
  /** Requests sent to the database for this search. */
  requests: number;
}

export interface SearchContext {
  backend: Backend;
  name: string;
  tenant: string;
  scheme: Scheme;
  ciphers: ReadonlyMap<string, KeyCiphers>;
  logger: Logger | undefined;
}

export interface SearchPlan {
  userKey: UserKey;
  k: number;
  /** Candidates fetched per live key. */
  depth: number;
  rerank: boolean;
  /** Pre-filter tokens of the user (pre-filter mode), or undefined (post-filter mode). */
  tokens: readonly string[] | undefined;
  blindIndex: Readonly<Record<string, string>>;
  withVector: boolean;
  /** Database search parameters, passed through (see SearchOptions.searchParams). */
  params?: SearchParams;
}

interface Ranked {
  pointId: string;
  id: string;
  kid: string;
  score: number;
  /** Lean path: the sealed exact vector the candidate was ranked with (compared on fetch). */
  x?: unknown;
  /** Full path: the decoded record, opened for the final k only. */
  record?: SealedRecord;
  /** This key already opened the candidate's exact vector (so a failure to open it now is tampering). */
  checked: boolean;
}

function paramsOf(plan: SearchPlan): { params?: SearchParams } {
  return plan.params !== undefined ? { params: plan.params } : {};
}

/** One search over every live key of the handle. */
export async function runSearch(ctx: SearchContext, query: ArrayLike<number>, plan: SearchPlan): Promise<SearchResult> {
  const metric = ctx.scheme.metric;
  // Validates the query (dimension, finite values, non-zero for cosine) once, up front.
  const encrypted = [...ctx.ciphers].map(([kid, kc]) => ({ kid, kc, vector: kc.cipher.encryptQuery(query) }));
  const q = prepareQuery(query, metric);
  let qq = 0;
  for (const v of q) qq += v * v;
  const state: State = { skipped: [], seenPoints: new Set(), seenIds: new Set(), candidates: 0, opened: 0, requests: 0 };
  const tokenSet = plan.tokens === undefined ? undefined : new Set(plan.tokens);

  const lean: Ranked[] = [];
  const full: Ranked[] = [];
  for (const { kid, kc, vector } of encrypted) {
    const filter = candidateFilter({ tenant: ctx.tenant, kid, ...(plan.tokens ? { prefilterTokens: plan.tokens } : {}), blindIndex: plan.blindIndex });
    const useLean = plan.tokens !== undefined && plan.rerank && ctx.scheme.exactVector && kc.cipher.version === 2;
    if (useLean) {
      lean.push(...(await leanCandidates(ctx, state, kc, kid, vector, filter, plan, q, tokenSet!)));
    } else {
      full.push(...(await fullCandidates(ctx, state, kc, kid, vector, filter, plan, q, qq)));
    }
  }
  const better = betterFirst(metric);
  const ranked = [...lean, ...full].sort((a, b) => better(a.score, b.score));
  const hits = await finalHits(ctx, state, ranked, plan, q);
  hits.sort((a, b) => better(a.score, b.score));
  for (const s of state.skipped) {
    ctx.logger?.({ level: 'warn', event: 'collection.skipped', message: `skipped a stored point: ${s.message}`, fields: { pointId: s.pointId, code: s.code } });
  }
  return { hits: hits.slice(0, plan.k), skipped: state.skipped, candidates: state.candidates, opened: state.opened, requests: state.requests };
}

interface State {
  skipped: SkippedRecord[];
  seenPoints: Set<string>;
  seenIds: Set<string>;
  candidates: number;
  opened: number;
  requests: number;
}

function skip(state: State, pointId: string, payload: Payload | undefined, code: string, message: string): void {
  const id = typeof payload?.id === 'string' ? payload.id : undefined;
  state.skipped.push({ pointId, ...(id !== undefined ? { id } : {}), code, message });
}

function codeOf(e: unknown): string {
  return (e as { code?: string }).code ?? 'ERR_MALFORMED';
}

/**
 * De-duplication and the point-id check: a second point claiming a record id already seen, or a
 * point whose id is not the one its record id maps to, is a copy the store made (skipped).
 */
function admit(ctx: SearchContext, state: State, p: { id: string; payload: Payload }): string | null {
  if (state.seenPoints.has(p.id)) return null;
  state.seenPoints.add(p.id);
  const id = p.payload.id;
  if (typeof id !== 'string') {
    skip(state, p.id, p.payload, 'ERR_MALFORMED', 'stored field "id" must be a string');
    return null;
  }
  if (state.seenIds.has(id)) {
    skip(state, p.id, p.payload, 'ERR_DUPLICATE_RECORD', `a second point claims record id ${JSON.stringify(id)}`);
    return null;
  }
  if (pointIdOf(ctx.tenant, id) !== p.id) {
    skip(state, p.id, p.payload, 'ERR_POINT_MISMATCH', `the point's id is not the one record id ${JSON.stringify(id)} maps to`);
    return null;
  }
  state.seenIds.add(id);
  state.candidates++;
  return id;
}

async function leanCandidates(
  ctx: SearchContext,
  state: State,
  kc: KeyCiphers,
  kid: string,
  vector: Float32Array,
  filter: Filter,
  plan: SearchPlan,
  q: Float64Array,
  tokens: ReadonlySet<string>,
): Promise<Ranked[]> {
  state.requests++;
  const points = await ctx.backend.query(ctx.name, { vector, limit: plan.depth, filter, withVector: false, withPayload: CANDIDATE_FIELDS, ...paramsOf(plan) });
  const out: Ranked[] = [];
  for (const p of points) {
    const id = admit(ctx, state, p);
    if (id === null) continue;
    let c;
    try {
      c = decodeStoredCandidate(p.payload);
    } catch (e) {
      skip(state, p.id, p.payload, codeOf(e), (e as Error).message);
      continue;
    }
    // The store answered with a record that does not carry one of this user's tokens: not what
    // was asked for. (Tokens are authenticated by the header MAC, checked when the full record
    // is opened; a store that adds a user's token to a record gains nothing it did not know:
    // the record then fails to open and is dropped like any edited one.)
    if (c.prefilter === undefined || !c.prefilter.some((t) => tokens.has(t))) {
      skip(state, p.id, p.payload, 'ERR_NOT_A_CANDIDATE', 'the store returned a record outside the pre-filter');
      continue;
    }
    const x = kc.opener.candidateVector(c, plan.userKey);
    if (x === null) {
      // It carries one of the user's tokens, so the user holds a tuple of its policy: a record
      // that then does not open was edited.
      skip(state, p.id, p.payload, 'ERR_DECRYPTION_FAILED', 'a candidate sharing a tuple with this key did not open');
      continue;
    }
    state.opened++;
    out.push({ pointId: p.id, id, kid, score: exactScore(ctx.scheme.metric, q, x), x: p.payload.x, checked: true });
  }
  return out;
}

async function fullCandidates(
  ctx: SearchContext,
  state: State,
  kc: KeyCiphers,
  kid: string,
  vector: Float32Array,
  filter: Filter,
  plan: SearchPlan,
  q: Float64Array,
  qq: number,
): Promise<Ranked[]> {
  state.requests++;
  const points: ScoredPoint[] = await ctx.backend.query(ctx.name, { vector, limit: plan.depth, filter, withVector: true, withPayload: true, ...paramsOf(plan) });
  const out: Ranked[] = [];
  const storedDimension = kc.cipher.storedDimension;
  for (const p of points) {
    const id = admit(ctx, state, p);
    if (id === null) continue;
    let record: SealedRecord;
    try {
      record = decodeStoredPoint(p.payload, p.vector, { storedDimension });
    } catch (e) {
      skip(state, p.id, p.payload, codeOf(e), (e as Error).message);
      continue;
    }
    if (!plan.rerank) {
      out.push({ pointId: p.id, id, kid, score: approximateScore(ctx.scheme.metric, p.score, kc.cipher.scale, qq, ctx.scheme.maxNorm), record, checked: false });
      continue;
    }
    // The exact vector for ranking: from the sealed exact vector alone where the scheme keeps
    // one (the signature is checked for the final k), else by opening the whole record (a cosine
    // record without exact vectors keeps only its norm in x).
    let x: Float32Array | null | undefined;
    if (record.version === 2 && record.exact !== undefined && ctx.scheme.exactVector) {
      x = kc.opener.candidateVector(record as Required<Pick<SealedRecord, 'exact'>> & SealedRecord, plan.userKey);
    } else {
      x = kc.opener.tryOpen(record, plan.userKey)?.vector;
    }
    if (x === null || x === undefined) continue; // not this key's to open (post-filter mode)
    state.opened++;
    out.push({ pointId: p.id, id, kid, score: exactScore(ctx.scheme.metric, q, x), record, checked: true });
  }
  return out;
}

/**
 * The final k: records opened in full (payload decrypted, writer signature checked) in rank
 * order, until k are verified or the candidates run out. Lean candidates are fetched first.
 */
async function finalHits(ctx: SearchContext, state: State, ranked: Ranked[], plan: SearchPlan, q: Float64Array): Promise<SearchHit[]> {
  const hits: SearchHit[] = [];
  let next = 0;
  while (hits.length < plan.k && next < ranked.length) {
    const batch = ranked.slice(next, next + (plan.k - hits.length));
    next += batch.length;
    const fetched = await fetchFull(ctx, state, batch.filter((r) => r.record === undefined));
    for (const r of batch) {
      const record = r.record ?? fetched.get(r.pointId);
      if (record === undefined) continue;
      const kc = ctx.ciphers.get(r.kid);
      if (kc === undefined) continue;
      try {
        const opened = kc.opener.open(record, plan.userKey);
        const hit: SearchHit = {
          id: opened.id,
          // Re-scored from the verified record: the score returned is never one computed from
          // anything unverified.
          score: plan.rerank && opened.vector !== undefined ? exactScore(ctx.scheme.metric, q, opened.vector) : r.score,
          payload: opened.payload,
        };
        if (plan.withVector && opened.vector !== undefined) hit.vector = opened.vector;
        if (!r.checked) state.opened++;
        hits.push(hit);
      } catch (e) {
        if (!(e instanceof DecryptionFailed)) throw e;
        // A candidate this key already opened can fail here only if its signature is forged or
        // the store served other fields than it ranked: skip it and take the next. (Without
        // re-rank, candidates are opened only here, and most of them may simply not be ours.)
        if (r.checked) skip(state, r.pointId, { id: r.id }, 'ERR_DECRYPTION_FAILED', 'the full record did not verify (edited, or forged by a reader)');
      }
    }
  }
  return hits;
}

/** Full records of lean candidates, by point id; anything inconsistent with the ranked candidate is skipped. */
async function fetchFull(ctx: SearchContext, state: State, batch: Ranked[]): Promise<Map<string, SealedRecord>> {
  const out = new Map<string, SealedRecord>();
  if (batch.length === 0) return out;
  state.requests++;
  const points = await ctx.backend.retrieve(
    ctx.name,
    batch.map((r) => r.pointId),
    { withVector: true, withPayload: true },
  );
  const byId = new Map(points.map((p) => [p.id, p]));
  for (const r of batch) {
    const p = byId.get(r.pointId);
    if (p === undefined) {
      skip(state, r.pointId, { id: r.id }, 'ERR_NOT_FOUND', 'a ranked candidate vanished before it was fetched');
      continue;
    }
    try {
      const kc = ctx.ciphers.get(r.kid);
      const record = decodeStoredPoint(p.payload, p.vector, kc ? { storedDimension: kc.cipher.storedDimension } : {});
      if (record.id !== r.id || p.payload.x !== r.x || record.kid !== r.kid) {
        skip(state, r.pointId, p.payload, 'ERR_INCONSISTENT', 'the full record differs from the candidate it was ranked as');
        continue;
      }
      out.set(r.pointId, record);
    } catch (e) {
      skip(state, r.pointId, p.payload, codeOf(e), (e as Error).message);
    }
  }
  return out;
}

export type { Metric };
