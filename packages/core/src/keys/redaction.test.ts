/**
 * Issue #9, finding 5: no key object of any kind shows secret bytes through console.log,
 * util.inspect, JSON.stringify, String(), template strings, spreading, enumeration or
 * structuredClone (including the message of a clone error). Each key type, each way.
 */
import { inspect } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { createWriterKey, generateAuthority, issueUserKey } from '../authority/authority.js';
import { exportAuthority, exportUserKey, exportWriterKey } from '../authority/serialize.js';
import { toBase64url, toHex } from '../utils.js';
import { createVectorCipher } from '../vector/cipher.js';
import { exportVectorKey, generateVectorKey, VectorKeyset, vectorKeySecret } from './vector-key.js';

const authority = generateAuthority();
const writer = createWriterKey(authority, { tenant: 't' });
const user = issueUserKey(authority, { role: ['admin'] }, { tenant: 't', blindIndexFields: ['f'] });
const vectorKey = generateVectorKey();
const keyset = VectorKeyset.create(vectorKey).add(generateVectorKey());
const cipher = createVectorCipher(vectorKey, { dimension: 4, metric: 'cosine', beta: 1 });

/** Every secret in every form it could be printed in: base64url, hex, and a list of byte values. */
function forms(secret: Uint8Array): string[] {
  return [toBase64url(secret).slice(0, 12), toHex(secret).slice(0, 16), Array.from(secret.subarray(0, 6)).join(', ')];
}
const secretsOf = (text: string): string[] => {
  const o = JSON.parse(text) as Record<string, unknown>;
  const out: string[] = [];
  for (const k of ['master', 'secret', 'blindIndexRoot', 'tupleKeys']) if (typeof o[k] === 'string') out.push((o[k] as string).slice(0, 12));
  for (const v of Object.values((o.fields ?? {}) as Record<string, string>)) out.push(v.slice(0, 12));
  return out;
};
const secrets = [
  ...secretsOf(exportAuthority(authority)),
  ...secretsOf(exportWriterKey(writer)),
  ...secretsOf(exportUserKey(user)),
  ...keyset.keys.flatMap((k) => forms(vectorKeySecret(k))),
  exportVectorKey(vectorKey).split(':')[1]!.slice(0, 12),
];

const objects: [string, unknown][] = [
  ['authority', authority],
  ['writer key', writer],
  ['user key', user],
  ['vector key', vectorKey],
  ['vector keyset', keyset],
  ['vector cipher', cipher],
];

function printed(o: unknown): string[] {
  const out: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => out.push(args.map((a) => inspect(a)).join(' ')));
  console.log(o);
  console.log({ nested: { deeper: o } });
  log.mockRestore();
  out.push(
    inspect(o, { depth: 10, showHidden: true, getters: true }),
    JSON.stringify(o) ?? '',
    JSON.stringify({ o }),
    String(o),
    `${o as string}`,
    JSON.stringify({ ...(o as object) }),
    JSON.stringify(Object.entries(o as object)),
    JSON.stringify(Object.getOwnPropertyNames(o as object).map((k) => [k, String((o as Record<string, unknown>)[k])])),
  );
  try {
    out.push(inspect(structuredClone(o), { depth: 10, showHidden: true }));
  } catch (e) {
    out.push(String((e as Error).message));
  }
  return out;
}

describe('no key object shows secret bytes, however it is printed (issue #9, finding 5)', () => {
  it('collects secrets to look for (sanity)', () => {
    expect(secrets.length).toBeGreaterThan(8);
  });
  it.each(objects)('%s', (_, o) => {
    const text = printed(o).join('\n');
    for (const s of secrets) expect(text).not.toContain(s);
  });
  it('a vector key prints as its id, and its JSON is its public info', () => {
    expect(inspect(vectorKey)).toBe(`VectorKey(${vectorKey.kid})`);
    expect(JSON.parse(JSON.stringify(vectorKey))).toEqual({ type: 'sealvec/vector-key', version: 1, kid: vectorKey.kid });
    expect(Object.keys(vectorKey)).toEqual(['kid']);
  });
});
