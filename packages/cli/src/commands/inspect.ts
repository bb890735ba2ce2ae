/**
 * `sealvec inspect`: what a sealed file, one record, or a collection shows to someone without
 * any key (a database operator, a thief). No key is read. It reports what is public by design
 * (ids, tenant, key ids, epochs, ciphertext vectors that leak approximate distances), what is
 * bucketed (header entry counts, escrow sizes), what leaks through lengths (payload sizes) and
 * through equality (pre-filter and blind-index tokens shared by several records).
 */
import { decodeHeader, fromBase64url, NotFound, parseScheme, validateStoredPayload, type SealedRecord } from '@sealvec/core';
import { pointIdOf } from '@sealvec/qdrant';
import { openBackend, type BackendOptions } from '../backend.js';
import { openSealedInput } from '../input/sealed.js';
import type { Io } from '../io.js';
import { createReporter, table } from '../report.js';
import { DEFAULT_COLLECTION, schemeForJson, type Scheme } from '../scheme.js';

export interface InspectOptions extends BackendOptions {
  file?: string | undefined;
  record?: string | undefined;
  collection?: string | undefined;
  tenant?: string | undefined;
  keys?: string | undefined;
  quiet?: boolean | undefined;
  json?: boolean | undefined;
}

/** The public fields of one record (what anyone holding the stored point sees). */
export interface PublicRecord {
  id: string;
  tenant: string;
  kid: string;
  epoch: number;
  headerBytes: number;
  headerEntries: number;
  escrowBytes: number;
  /** Plaintext payload length in bytes (the AEAD hides content, not length). */
  payloadBytes: number;
  /** Sealed exact vector present, and its plaintext length. */
  exactBytes: number | null;
  prefilterTokens: number | null;
  blindIndex: Record<string, number>;
  /** Norm of the ciphertext vector: about scale x the plaintext norm (+ noise). */
  vectorNorm: number | undefined;
}

const SEAL_OVERHEAD = 24 + 16;

export function publicView(rec: {
  id: string;
  tenant: string;
  kid: string;
  epoch: number;
  header: Uint8Array;
  payloadBytes: number;
  exactBytes: number | undefined;
  prefilter: readonly string[] | undefined;
  blindIndex: Readonly<Record<string, readonly string[]>> | undefined;
  vector: Float32Array | undefined;
}): PublicRecord {
  const h = decodeHeader(rec.header);
  let norm: number | undefined;
  if (rec.vector) {
    let s = 0;
    for (let i = 0; i < rec.vector.length; i++) s += rec.vector[i]! * rec.vector[i]!;
    norm = Math.sqrt(s);
  }
  const bi: Record<string, number> = {};
  for (const [f, t] of Object.entries(rec.blindIndex ?? {})) bi[f] = t.length;
  return {
    id: rec.id,
    tenant: rec.tenant,
    kid: rec.kid,
    epoch: rec.epoch,
    headerBytes: rec.header.length,
    headerEntries: h.entryCount,
    escrowBytes: h.escrow.length,
    payloadBytes: rec.payloadBytes - SEAL_OVERHEAD,
    exactBytes: rec.exactBytes === undefined ? null : rec.exactBytes - SEAL_OVERHEAD,
    prefilterTokens: rec.prefilter === undefined ? null : rec.prefilter.length,
    blindIndex: bi,
    vectorNorm: norm,
  };
}

function fromSealed(r: SealedRecord): PublicRecord {
  return publicView({
    id: r.id,
    tenant: r.tenant,
    kid: r.kid,
    epoch: r.epoch,
    header: r.header,
    payloadBytes: r.payload.length,
    exactBytes: r.exact?.length,
    prefilter: r.prefilter,
    blindIndex: r.blindIndex,
    vector: r.vector,
  });
}

function bump<K>(m: Map<K, number>, k: K): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

/** Accumulates what a whole file or collection shows. Token maps grow with distinct tokens only. */
export class LeakageStats {
  records = 0;
  readonly epochs = new Map<number, number>();
  readonly kids = new Map<string, number>();
  readonly entries = new Map<number, number>();
  readonly escrow = new Map<number, number>();
  readonly payloadSizes: number[] = [];
  readonly prefilter = new Map<string, number>();
  readonly blind = new Map<string, Map<string, number>>();
  withExact = 0;

  add(p: PublicRecord, tokens: readonly string[] | undefined, bi: Readonly<Record<string, readonly string[]>> | undefined): void {
    this.records++;
    bump(this.epochs, p.epoch);
    bump(this.kids, p.kid);
    bump(this.entries, p.headerEntries);
    bump(this.escrow, p.escrowBytes);
    // A bounded sample keeps memory flat; sizes are summarized, not listed.
    if (this.payloadSizes.length < 100_000) this.payloadSizes.push(p.payloadBytes);
    if (p.exactBytes !== null) this.withExact++;
    for (const t of tokens ?? []) bump(this.prefilter, t);
    for (const [f, list] of Object.entries(bi ?? {})) {
      let m = this.blind.get(f);
      if (!m) this.blind.set(f, (m = new Map()));
      for (const t of list) bump(m, t);
    }
  }

  summary(): Record<string, unknown> {
    const sizes = this.payloadSizes.slice().sort((a, b) => a - b);
    const q = (f: number) => sizes[Math.min(sizes.length - 1, Math.floor(f * sizes.length))] ?? 0;
    const obj = <K extends string | number>(m: Map<K, number>) => Object.fromEntries([...m].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
    const shared = (m: Map<string, number>) => {
      let max = 0;
      let sharedBy = 0;
      for (const c of m.values()) {
        max = Math.max(max, c);
        if (c > 1) sharedBy++;
      }
      return { distinct: m.size, sharedTokens: sharedBy, largestGroup: max };
    };
    return {
      records: this.records,
      epochs: obj(this.epochs),
      vectorKeys: obj(this.kids),
      headerEntries: obj(this.entries),
      escrowBytes: obj(this.escrow),
      payloadBytes: { min: sizes[0] ?? 0, median: q(0.5), p90: q(0.9), max: sizes[sizes.length - 1] ?? 0 },
      exactVector: this.withExact,
      prefilterTokens: this.prefilter.size > 0 ? shared(this.prefilter) : null,
      blindIndex: Object.fromEntries([...this.blind].map(([f, m]) => [f, shared(m)])),
    };
  }
}

const REVEALS = [
  'public: record ids, tenant, vector key ids, epochs, the scheme (dimension, metric, beta)',
  'approximate: distances between ciphertext vectors (that is what makes search work; see docs/threat-model.md)',
  'bucketed: how many policy tuples a record has (header entries, padded to a power of two), policy encoding size',
  'lengths: the payload\'s plaintext length in bytes',
  'equality: records sharing a pre-filter token share a policy tuple; equal blind-index tokens mean equal field values',
  'hidden: payload content, the exact vector, which roles/groups/departments a policy names',
];

/** Whether the scheme is signed (v2) or the unauthenticated v1 one, in words. */
function schemeFormatLine(scheme: Scheme): string {
  if (scheme.version === 1) {
    return 'v1: UNAUTHENTICATED scheme (the store could have changed it) and unsigned records; migrate with "sealvec rotate --allow-v1"';
  }
  const legacy = scheme.legacyKids.length > 0 ? `; migration in progress (v1 records under ${scheme.legacyKids.join(', ')})` : '';
  return `v2: scheme signed by the writer of tenant ${JSON.stringify(scheme.creator.tenant)}, epoch ${scheme.creator.epoch} (checked by every command that uses it)${legacy}`;
}

function summaryLines(s: Record<string, unknown>, scheme: Scheme, where: string, collection: string, tenant: string): string[] {
  const pf = s.prefilterTokens as { distinct: number; sharedTokens: number; largestGroup: number } | null;
  const pb = s.payloadBytes as { min: number; median: number; p90: number; max: number };
  const kv = (o: unknown) =>
    Object.entries(o as Record<string, number>)
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ') || '-';
  return [
    `${where}`,
    ...table([
      ['collection', `${JSON.stringify(collection)}, tenant ${JSON.stringify(tenant)}`],
      ['scheme', `${scheme.metric}, dimension ${scheme.dimension}, beta ${scheme.beta}${scheme.preset ? ` (${scheme.preset})` : ''}, authority ${scheme.authority}`],
      ['format', schemeFormatLine(scheme)],
      ['records', String(s.records)],
      ['epochs', kv(s.epochs)],
      ['vector keys', kv(s.vectorKeys)],
      ['header entries', kv(s.headerEntries)],
      ['escrow bytes', kv(s.escrowBytes)],
      ['payload bytes', `min ${pb.min}, median ${pb.median}, p90 ${pb.p90}, max ${pb.max}`],
      ['exact vectors', `${s.exactVector} sealed`],
      [
        'pre-filter',
        pf ? `${pf.distinct} distinct tokens; ${pf.sharedTokens} shared by several records (largest group ${pf.largestGroup})` : 'off (post-filter mode)',
      ],
      ...Object.entries(s.blindIndex as Record<string, { distinct: number; largestGroup: number }>).map(
        ([f, v]) => [`blind index ${f}`, `${v.distinct} distinct values; largest group ${v.largestGroup} records`] as [string, string],
      ),
    ]).map((l) => `  ${l}`),
    '',
    'What this reveals without any key:',
    ...REVEALS.map((l) => `  - ${l}`),
  ];
}

function recordLines(p: PublicRecord): string[] {
  return table([
    ['id', JSON.stringify(p.id)],
    ['tenant', JSON.stringify(p.tenant)],
    ['vector key', p.kid],
    ['epoch', String(p.epoch)],
    ['header', `${p.headerBytes} bytes, ${p.headerEntries} entries (padded), escrow ${p.escrowBytes} bytes`],
    ['payload', `${p.payloadBytes} bytes of JSON (content sealed)`],
    ['exact vector', p.exactBytes === null ? 'not stored' : `${p.exactBytes} bytes sealed`],
    ['pre-filter', p.prefilterTokens === null ? 'off' : `${p.prefilterTokens} tokens`],
    ['blind index', Object.entries(p.blindIndex).map(([f, n]) => `${f} (${n})`).join(', ') || '(none)'],
    ['vector norm', p.vectorNorm === undefined ? '-' : p.vectorNorm.toFixed(4)],
  ]);
}

export async function inspect(opts: InspectOptions, io: Io): Promise<void> {
  const r = createReporter(io, opts);
  if (opts.file !== undefined) {
    const file = await openSealedInput(opts.file, io);
    try {
      const h = file.header;
      if (opts.record !== undefined) {
        for await (const { record, where } of file.records) {
          if (record.id !== opts.record) continue;
          const p = fromSealed(record);
          r.result({ where, record: p }, [`${where}`, ...recordLines(p)]);
          return;
        }
        throw new NotFound(`${opts.file}: no record with id ${JSON.stringify(opts.record)}`);
      }
      const stats = new LeakageStats();
      for await (const { record } of file.records) stats.add(fromSealed(record), record.prefilter, record.blindIndex);
      const s = stats.summary();
      r.result(
        { file: opts.file, format: file.format, collection: h.collection, tenant: h.tenant, scheme: schemeForJson(h.scheme), ...s, reveals: REVEALS },
        summaryLines(s, h.scheme, file.name, h.collection, h.tenant),
      );
      return;
    } finally {
      await file.close();
    }
  }
  const name = opts.collection ?? DEFAULT_COLLECTION;
  const tenant = opts.tenant ?? '';
  const { backend, label } = await openBackend(opts, io);
  try {
    const desc = await backend.describe(name);
    if (desc === null) throw new NotFound(`collection "${name}" does not exist in ${label}`);
    // Parsed for display only: inspect uses no key, so it cannot verify the signature.
    const scheme = parseScheme(name, desc.metadata);
    if (opts.record !== undefined) {
      const [pt] = await backend.retrieve(name, [pointIdOf(tenant, opts.record)], { withVector: true });
      if (pt === undefined) throw new NotFound(`collection "${name}" has no record ${JSON.stringify(opts.record)} for tenant ${JSON.stringify(tenant)}`);
      const p = fromStored(pt.payload, pt.vector);
      r.result({ collection: name, record: p }, [`collection "${name}" (${label})`, ...recordLines(p)]);
      return;
    }
    const stats = new LeakageStats();
    let offset: string | undefined;
    for (;;) {
      const page = await backend.scroll(name, { limit: 512, withVector: true, ...(offset !== undefined ? { offset } : {}) });
      for (const pt of page.points) {
        const v = validateStoredPayload(pt.payload);
        stats.add(fromStored(pt.payload, pt.vector), v.pf, v.bi);
      }
      if (page.nextOffset === null) break;
      offset = page.nextOffset;
    }
    const s = stats.summary();
    r.result({ collection: name, backend: label, scheme: schemeForJson(scheme), ...s, reveals: REVEALS }, summaryLines(s, scheme, `collection "${name}" (${label})`, name, tenant));
  } finally {
    await backend.close();
  }
}

function fromStored(payload: Record<string, unknown>, vector: Float32Array | undefined): PublicRecord {
  const v = validateStoredPayload(payload);
  const b64 = (s: string) => Math.floor((s.length * 3) / 4);
  return publicView({
    id: v.id,
    tenant: v.tnt,
    kid: v.kid,
    epoch: v.ep,
    header: fromBase64url(v.h),
    payloadBytes: b64(v.p),
    exactBytes: v.x === undefined ? undefined : b64(v.x),
    prefilter: v.pf,
    blindIndex: v.bi,
    vector,
  });
}
