/**
 * `sealvec decrypt`: the records of a sealed file that a user key may open, as plaintext JSONL
 * `{id, vector, payload}`. Records the key may not open are skipped and counted; if it opens
 * none at all the command fails (exit 3), since that is almost always the wrong key.
 */
import { AccessDenied, createOpener, InvalidKey, KeyNotFound, type Opener } from '@sealvec/core';
import { openSealedFile } from '../input/sealed.js';
import { openSource } from '../input/source.js';
import type { Io } from '../io.js';
import { defaultKeyDir, KeyDir, loadUserKey } from '../keyfiles.js';
import { openOutput, type Output } from '../output/atomic.js';
import { createProgress } from '../progress.js';
import { createReporter, plural } from '../report.js';
import { cipherFor } from '../scheme.js';
import { formatVector } from '../sealed-file.js';

export interface DecryptOptions {
  input: string;
  key: string;
  output?: string | undefined;
  /** commander's --no-vector gives false. */
  vector?: boolean | undefined;
  keys?: string | undefined;
  quiet?: boolean | undefined;
  json?: boolean | undefined;
}

export interface DecryptResult {
  records: number;
  opened: number;
  denied: number;
  /** Records under a vector key the keyset does not hold (retired). */
  unknownKey: number;
}

export async function decrypt(opts: DecryptOptions, io: Io): Promise<DecryptResult> {
  const user = await loadUserKey(opts.key, io);
  const keyset = await new KeyDir(defaultKeyDir(io, opts.keys), io).keyset();
  const source = await openSource(opts.input, io.stdin, io.cwd);
  const output = opts.output ?? '-';
  let out: Output | undefined;
  const res: DecryptResult = { records: 0, opened: 0, denied: 0, unknownKey: 0 };
  const progress = createProgress(io, { label: 'decrypt', quiet: opts.quiet === true, totalBytes: source.size });
  const withVector = opts.vector !== false;
  let minEpoch = Infinity;
  try {
    const file = await openSealedFile(source);
    const { scheme, tenant, collection } = file.header;
    if (user.authorityId !== scheme.authority) {
      throw new InvalidKey(`${opts.key} belongs to authority ${user.authorityId}, but ${opts.input} is sealed for authority ${scheme.authority}`);
    }
    if (user.tenant !== tenant) {
      throw new InvalidKey(`${opts.key} is for tenant ${JSON.stringify(user.tenant)}, but ${opts.input} holds tenant ${JSON.stringify(tenant)}`);
    }
    out = await openOutput(output, io.stdout, io.cwd);
    const openers = new Map<string, Opener | null>();
    const openerFor = (kid: string): Opener | null => {
      let o = openers.get(kid);
      if (o === undefined) {
        o = keyset.has(kid) ? createOpener({ cipher: cipherFor(keyset.get(kid), scheme, tenant), collection }) : null;
        openers.set(kid, o);
      }
      return o;
    };
    let buf = '';
    for await (const { record } of file.records) {
      res.records++;
      minEpoch = Math.min(minEpoch, record.epoch);
      const opener = openerFor(record.kid);
      if (opener === null) {
        res.unknownKey++;
        continue;
      }
      const got = opener.tryOpen(record, user, { vector: withVector });
      if (got === null) {
        res.denied++;
        continue;
      }
      res.opened++;
      buf +=
        `{"id":${JSON.stringify(got.id)}` +
        (got.vector ? `,"vector":[${formatVector(got.vector, true)}]` : '') +
        `,"payload":${JSON.stringify(got.payload)}}\n`;
      if (buf.length > 1 << 20) {
        await out.write(buf);
        buf = '';
        progress.update(res.records, source.bytesRead);
      }
    }
    if (buf) await out.write(buf);
    if (res.records > 0 && res.opened === 0) {
      if (res.unknownKey === res.records) {
        throw new KeyNotFound(`${opts.input}: every record is under a vector key the keyset does not hold (retired?)`);
      }
      const epochHint = user.epoch < minEpoch ? ` (the key is for epoch ${user.epoch}, the records are at epoch ${minEpoch}: ask for a re-issued key)` : '';
      throw new AccessDenied(`${opts.key} cannot open any of the ${res.records} records of ${opts.input}${epochHint}`);
    }
    await out.commit();
  } catch (e) {
    await out?.abort();
    throw e;
  } finally {
    progress.finish();
    await source.close();
  }
  const r = createReporter(io, { ...opts, resultsToStderr: output === '-' });
  const text = `Opened ${plural(res.opened, 'record')} of ${res.records}${res.denied ? `; ${res.denied} not readable with this key` : ''}${
    res.unknownKey ? `; ${res.unknownKey} under a retired vector key` : ''
  }`;
  if (opts.json) r.result(res, text);
  else r.note(text);
  return res;
}
