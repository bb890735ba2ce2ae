/**
 * Fuzzing the first line of a sealed file (parseHeaderLine), the file's hostile header: mutants
 * of a v2 header line made here and of the v1 header line of fixtures/v1 must end in a coded
 * error or in the honest header, including what a command then builds from it (the cipher and
 * opener of the records' key, tenant and collection), within bounded time and memory. Under
 * SLOW=1, thousands of inputs.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { authorityFromMaster, createOpener, createWriterKey, verifyScheme, generateVectorKey, signScheme, type SchemeFields } from '@sealvec/core';
import { describe, expect, it } from 'vitest';
import { cipherFor } from './scheme.js';
import { encodeHeaderLine, parseHeaderLine, type SealedFileHeader } from './sealed-file.js';

interface Mutate {
  fuzzRuns(small: number): number;
  FUZZ_TIMEOUT_MS: number;
  mutatedJson(seed: unknown): fc.Arbitrary<unknown>;
  hostileArb: fc.Arbitrary<unknown>;
  coded<T>(f: () => T): T | undefined;
  fuzz<T>(arb: fc.Arbitrary<T>, check: (input: T) => void, runs: number, honest: () => void): Promise<{ runs: number; maxMs: number; honestMs: number; heapGrowth: number }>;
}
// The mutation engine and harness are the core's fuzz support (test-only, in no package), loaded
// by path as testkit loads the Qdrant stand-in, so this package's type-check stays within it.
const MUTATE = '../../core/src/__tests__/mutate.js';
const m = (await import(/* @vite-ignore */ MUTATE)) as Mutate;

const authority = authorityFromMaster(Uint8Array.from({ length: 32 }, (_, i) => 0x31 + i));
const writer = createWriterKey(authority);
const vectorKey = generateVectorKey();
const fields: SchemeFields = {
  collection: 'docs',
  dimension: 12,
  metric: 'euclid',
  beta: 3,
  preset: null,
  scale: 3,
  maxNorm: null,
  authority: authority.id,
  prefilter: true,
  blindIndexFields: ['lang'],
  exactVector: true,
  legacyKids: [],
};
const v2Line = JSON.parse(encodeHeaderLine('docs', 'acme', signScheme(fields, writer))) as Record<string, unknown>;
const v1Text = readFileSync(new URL('../../../fixtures/v1/sealed-v1.jsonl', import.meta.url), 'utf8');
const v1Line = JSON.parse(v1Text.slice(0, v1Text.indexOf('\n'))) as Record<string, unknown>;
const honest = [v2Line, v1Line].map((line) => parseHeaderLine(structuredClone(line), 'seed'));

/** What `decrypt`, `rotate` and `ingest` do with a header before reading records. */
function use(h: SealedFileHeader): void {
  if (h.scheme.version === 2) {
    const verified = m.coded(() => (verifyScheme(h.scheme as Extract<SealedFileHeader['scheme'], { version: 2 }>, h.collection, authority.publicKey), true));
    if (verified) {
      // Whatever verifies is exactly the signed scheme: the tenant is not part of it, and the
      // records bind their own (a file relabelled to another tenant opens nothing).
      expect({ ...h.scheme }).toEqual({ ...honest[0]!.scheme });
    }
  }
  m.coded(() => createOpener({ cipher: cipherFor(vectorKey, h.scheme, h.tenant), collection: h.collection }));
  // rotate and rewrap take the writer key of the file's tenant (keyfiles.ts: derived from the authority).
  m.coded(() => createWriterKey(authority, { tenant: h.tenant }));
}

describe('fuzz: the sealed file header line (parseHeaderLine)', () => {
  it('mutated header lines: only coded errors, or a header whose scheme verifies exactly as signed', async () => {
    for (const h of honest) use(h);
    const check = (line: unknown) => {
      const h = m.coded(() => parseHeaderLine(line, 'f'));
      if (h !== undefined) use(h);
    };
    // Random edits anywhere, and hostile values in the line's own fields (the scheme has many more).
    const own = fc
      .tuple(fc.constantFrom(v2Line, v1Line), fc.constantFrom('type', 'version', 'collection', 'tenant'), m.hostileArb)
      .map(([seed, field, value]) => Object.defineProperty(structuredClone(seed), field, { value, enumerable: true }));
    const arb = fc.oneof(fc.constantFrom(v2Line, v1Line).chain((seed) => m.mutatedJson(seed)), own);
    const stats = await m.fuzz(arb, check, m.fuzzRuns(150), () => [v2Line, v1Line].forEach((l) => check(structuredClone(l))));
    console.log(`fuzz header lines: ${stats.runs} inputs, slowest ${stats.maxMs.toFixed(1)} ms (honest ${stats.honestMs.toFixed(1)} ms)`);
  }, m.FUZZ_TIMEOUT_MS);
});
