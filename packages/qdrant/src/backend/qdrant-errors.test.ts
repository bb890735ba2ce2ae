/**
 * Error classification against the errors @qdrant/js-client-rest 1.18.0 really throws: each case
 * is provoked through the client (against the stand-in, or a closed port), not hand-built.
 */
import { createServer } from 'node:net';
import { QdrantClient, QdrantClientTimeoutError } from '@qdrant/js-client-rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackendError, Conflict, NotFound } from '@sealvec/core';
import { classify, DeadlineExceeded, isRetryable, parseRetryAfter, qdrantDetail, sizeSplit, toCodedError, UnconfirmedWrite, type Failure } from './qdrant-errors.js';
import { QdrantStandin } from '../__tests__/qdrant-standin/index.js';

let standin: QdrantStandin;
let client: QdrantClient;

beforeAll(async () => {
  standin = await QdrantStandin.start();
  client = new QdrantClient({ url: standin.url, checkCompatibility: false, timeout: 2_000 });
});

afterAll(async () => {
  await standin.close();
});

async function thrown(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('classify (errors from the real client)', () => {
  it('HTTP errors carry the status and Qdrant\'s own message from the body', async () => {
    const e = await thrown(client.getCollection('nope'));
    expect((e as Error).message).toBe('Not Found'); // the client's message is only the status text
    const f = classify(e);
    expect(f).toEqual({ kind: 'http', status: 404, detail: 'Not found: Collection `nope` doesn\'t exist!', retryAfterMs: undefined });
    expect(isRetryable(f)).toBe(false);
  });

  it('429 with Retry-After: the client keeps only the first character of the header', async () => {
    standin.inject({ kind: 'status', status: 429, retryAfter: '12' }, { path: /^\/collections\/a$/ });
    const f = classify(await thrown(client.getCollection('a')));
    expect(f).toMatchObject({ kind: 'http', status: 429, retryAfterMs: 1000 });
    expect(isRetryable(f)).toBe(true);
  });

  it('429 with an HTTP-date Retry-After and 429 without one are both retryable 429s', async () => {
    standin.inject({ kind: 'status', status: 429, retryAfter: 'Wed, 21 Oct 2015 07:28:00 GMT' }, { path: /^\/collections\/b$/ });
    expect(classify(await thrown(client.getCollection('b')))).toMatchObject({ kind: 'http', status: 429 });
    standin.inject({ kind: 'status', status: 429 }, { path: /^\/collections\/c$/ });
    const f = classify(await thrown(client.getCollection('c')));
    expect(f).toMatchObject({ kind: 'http', status: 429, retryAfterMs: undefined });
  });

  it('503 with Retry-After keeps the hint (the client passes the headers through)', async () => {
    standin.inject({ kind: 'status', status: 503, retryAfter: '2' }, { path: /^\/collections\/d$/ });
    expect(classify(await thrown(client.getCollection('d')))).toMatchObject({ kind: 'http', status: 503, retryAfterMs: 2000 });
  });

  it('a timeout is QdrantClientTimeoutError', async () => {
    const slow = new QdrantClient({ url: standin.url, checkCompatibility: false, timeout: 50 });
    standin.inject({ kind: 'delay', ms: 300 }, { path: /^\/collections\/e$/ });
    const e = await thrown(slow.getCollection('e'));
    expect(e).toBeInstanceOf(QdrantClientTimeoutError);
    expect(classify(e)).toEqual({ kind: 'timeout' });
  });

  it('a dropped connection and a refused connection are network failures', async () => {
    standin.inject({ kind: 'drop', when: 'before-apply' }, { path: /^\/collections\/f$/ });
    const dropped = classify(await thrown(client.getCollection('f')));
    expect(dropped.kind).toBe('network');
    const refused = new QdrantClient({ url: `http://127.0.0.1:${await closedPort()}`, checkCompatibility: false });
    expect(classify(await thrown(refused.getCollection('g')))).toEqual({ kind: 'network', code: 'ECONNREFUSED' });
  });

  it('anything else is "other" and not retried', () => {
    expect(classify(new Error('boom'))).toEqual({ kind: 'other' });
    expect(classify('string')).toEqual({ kind: 'other' });
    expect(isRetryable({ kind: 'other' })).toBe(false);
  });
});

describe('retry and split decisions', () => {
  const http = (status: number): Failure => ({ kind: 'http', status, detail: undefined, retryAfterMs: undefined });
  it('retries 429, 408, 5xx, timeouts and network errors; not other 4xx', () => {
    expect([429, 408, 500, 502, 503, 504].map((s) => isRetryable(http(s)))).toEqual([true, true, true, true, true, true]);
    expect([400, 401, 403, 404, 409, 413, 422].map((s) => isRetryable(http(s)))).toEqual([false, false, false, false, false, false, false]);
    expect(isRetryable({ kind: 'timeout' })).toBe(true);
    expect(isRetryable({ kind: 'network', code: 'ECONNRESET' })).toBe(true);
  });

  it('retries a write Qdrant did not confirm (wait_timeout)', () => {
    expect(isRetryable(classify(new UnconfirmedWrite('wait_timeout')))).toBe(true);
    expect(toCodedError(classify(new UnconfirmedWrite('wait_timeout')), 'upsert into c', new UnconfirmedWrite('wait_timeout'))).toMatchObject({
      code: 'ERR_BACKEND',
      detail: 'wait_timeout',
    });
  });

  it('recognises client errors by name (an injected client may come from another package copy)', () => {
    const t = new Error('aborted');
    t.name = 'QdrantClientTimeoutError';
    expect(classify(t)).toEqual({ kind: 'timeout' });
    const r = Object.assign(new Error('slow down'), { name: 'QdrantClientResourceExhaustedError', retry_after: 2 });
    expect(classify(r)).toMatchObject({ kind: 'http', status: 429, retryAfterMs: 2000 });
    expect(classify(new DeadlineExceeded('late'))).toEqual({ kind: 'timeout' });
  });

  it('splits a batch only when it was refused for its size', () => {
    const h = (status: number, detail: string) => ({ kind: 'http' as const, status, detail, retryAfterMs: undefined });
    // actix-web's body limit, which Qdrant answers with 400 (src/actix/mod.rs)
    expect(sizeSplit(h(400, 'JSON payload (40000 bytes) is larger than allowed (limit: 20000 bytes).'), 32)).toBe(16);
    expect(sizeSplit(h(400, 'JSON payload has exceeded limit (20000 bytes).'), 5)).toBe(3);
    expect(sizeSplit(h(413, 'Payload Too Large'), 10)).toBe(5);
    // strict mode's upsert_max_batchsize names the size to cut to (verification/update.rs)
    const strict = 'Bad request: Limit exceeded 256 > 100 for "upsert limit". Help: Reduce the "upsert limit" parameter to or below 100.';
    expect(sizeSplit(h(400, strict), 256)).toBe(100);
    // anything else fails the same way in smaller batches: no split
    expect(sizeSplit(h(400, 'Wrong input: payload rejected'), 32)).toBeNull();
    expect(sizeSplit(h(400, 'Bad request: Index required but not found for "ep" of one of the following types: [integer]'), 32)).toBeNull();
    expect(sizeSplit(h(413, 'too large'), 1)).toBeNull();
    expect(sizeSplit({ kind: 'timeout' }, 10)).toBeNull();
    expect([404, 429, 500].map((s) => sizeSplit(h(s, 'JSON payload (1 bytes) is larger than allowed'), 10))).toEqual([null, null, null]);
  });
});

describe('toCodedError', () => {
  it('404 is NotFound and 409 / "already exists" is Conflict, carrying Qdrant\'s words (and no cause: only BackendError has one)', () => {
    const nf = toCodedError({ kind: 'http', status: 404, detail: 'Not found: x', retryAfterMs: undefined }, 'get collection x', null);
    expect(nf).toBeInstanceOf(NotFound);
    expect(nf.message).toBe('get collection x: Not found: x');
    expect((nf as NotFound).cause).toBeUndefined();
    expect(toCodedError({ kind: 'http', status: 409, detail: 'exists', retryAfterMs: undefined }, 'op', null)).toBeInstanceOf(Conflict);
    expect(
      toCodedError({ kind: 'http', status: 400, detail: 'Wrong input: Collection `x` already exists!', retryAfterMs: undefined }, 'op', null),
    ).toBeInstanceOf(Conflict);
  });

  it('other failures are BackendErrors that name the operation and carry Qdrant\'s words', () => {
    const e = toCodedError({ kind: 'http', status: 400, detail: 'Wrong input: Vector dimension error', retryAfterMs: undefined }, 'upsert into c', null);
    expect(e).toBeInstanceOf(BackendError);
    expect(e).toMatchObject({ status: 400, detail: 'Wrong input: Vector dimension error' });
    expect(e.message).toBe('Qdrant upsert into c failed: HTTP 400: Wrong input: Vector dimension error');
    expect(toCodedError({ kind: 'timeout' }, 'count c', null, 250).message).toBe('Qdrant count c timed out after 250 ms');
    expect(toCodedError({ kind: 'network', code: 'ECONNRESET' }, 'count c', null)).toMatchObject({ detail: 'ECONNRESET' });
    expect(toCodedError({ kind: 'other' }, 'count c', new Error('weird')).message).toMatch(/weird/);
  });
});

describe('helpers', () => {
  it('qdrantDetail reads { status: { error } } or a text body', () => {
    expect(qdrantDetail({ status: { error: 'bad' }, time: 0 })).toBe('bad');
    expect(qdrantDetail('plain text')).toBe('plain text');
    expect(qdrantDetail('')).toBeUndefined();
    expect(qdrantDetail({ status: 'ok' })).toBeUndefined();
    expect(qdrantDetail(null)).toBeUndefined();
  });

  it('parseRetryAfter reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('1.5')).toBe(1500);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(10_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 08:00:00 GMT'))).toBe(0);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});
