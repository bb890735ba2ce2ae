import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { describeRetryError, retryReporter } from './backend.js';
import { createLogger, formatLogEvent } from './log.js';

function sink(env: Record<string, string> = {}) {
  const stderr = new PassThrough();
  let text = '';
  stderr.on('data', (d: Buffer) => (text += d.toString()));
  return { io: { stderr, env }, text: async () => (await new Promise((r) => setImmediate(r)), text) };
}

describe('the CLI logger', () => {
  it('prints warnings always, info unless --quiet, debug only with SEALVEC_DEBUG=1', async () => {
    const s = sink();
    const log = createLogger(s.io, { quiet: true });
    log({ level: 'warn', event: 'w', message: 'careful' });
    log({ level: 'info', event: 'i', message: 'fyi' });
    log({ level: 'debug', event: 'd', message: 'noise' });
    expect(await s.text()).toBe('sealvec: warning: careful\n');
    const d = sink({ SEALVEC_DEBUG: '1' });
    createLogger(d.io, {})({ level: 'debug', event: 'd', message: 'noise' });
    expect(await d.text()).toBe('sealvec: noise\n');
    expect(JSON.parse(formatLogEvent({ level: 'info', event: 'x.y', message: 'm', fields: { n: 1 } }, true))).toEqual({ log: 'x.y', level: 'info', message: 'm', fields: { n: 1 } });
  });

  it('reports a Qdrant retry by status or error code, never with credentials', async () => {
    expect(describeRetryError(Object.assign(new Error('Service Unavailable'), { status: 503, statusText: 'Service Unavailable' }))).toBe('HTTP 503 Service Unavailable');
    expect(describeRetryError(Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNREFUSED' } }))).toBe('ECONNREFUSED');
    expect(describeRetryError(Object.assign(new Error('x'), { name: 'QdrantClientTimeoutError' }))).toBe('timed out');
    expect(describeRetryError(new Error('GET https://user:pw@host/x failed with key SECRETKEY'), ['SECRETKEY'])).toBe('GET https://host/x failed with key ***');
    const s = sink();
    retryReporter(createLogger(s.io, {}), [])({ op: 'upsert into docs', attempt: 1, delayMs: 250, error: Object.assign(new Error(''), { status: 429 }) });
    expect(await s.text()).toBe('sealvec: warning: Qdrant: upsert into docs failed (HTTP 429); retrying in 250 ms (attempt 2)\n');
  });
});
