/**
 * The conformance suite: cases ported from Qdrant's own REST tests (qdrant/qdrant
 * tests/openapi, 1.19), each titled with the test it comes from, run against the in-process
 * stand-in always and against a real Qdrant when QDRANT_URL is set (QDRANT_API_KEY optional).
 * The stand-in must pass every case; see ./README.md for what is covered and why.
 */
import { afterAll, describe, it } from 'vitest';
import { QdrantStandin } from '../qdrant-standin/index.js';
import { filterCases } from './filters.js';
import type { Target } from './harness.js';
import { limitCases } from './limits.js';
import { pointCases } from './points.js';
import { rest } from './rest.js';
import { strictModeCases } from './strict-mode.js';

async function versionOf(url: string, apiKey?: string): Promise<[number, number, number]> {
  const r = await rest(url, apiKey).call('GET', '/');
  const v = String((r.json as { version?: unknown }).version ?? '0.0.0').split('.').map((x) => Number.parseInt(x, 10) || 0);
  return [v[0] ?? 0, v[1] ?? 0, v[2] ?? 0];
}

function suite(label: string, target: () => Target): void {
  describe(`Qdrant conformance: ${label}`, () => {
    const t = target();
    filterCases(t);
    pointCases(t);
    strictModeCases(t);
    limitCases(t);
  });
}

const standin = await QdrantStandin.start();
afterAll(() => standin.close());
suite('stand-in', () => ({ label: 'stand-in', rest: rest(standin.url), version: [1, 19, 0], local: true }));

const liveUrl = process.env['QDRANT_URL'];
if (liveUrl === undefined || liveUrl === '') {
  console.log('skipping the conformance suite against a real Qdrant: QDRANT_URL not set (the stand-in run covers the same cases)');
  describe.skip('Qdrant conformance: live Qdrant (QDRANT_URL not set)', () => {
    it('needs QDRANT_URL', () => undefined);
  });
} else {
  const apiKey = process.env['QDRANT_API_KEY'];
  const version = await versionOf(liveUrl, apiKey);
  suite(`live Qdrant ${version.join('.')} at ${liveUrl}`, () => ({ label: `live Qdrant ${version.join('.')}`, rest: rest(liveUrl, apiKey), version, local: false }));
}
