/**
 * `sealvec decrypt`: the records of a sealed file that a user key may open, as plaintext JSONL
 * `{id, vector, payload}` (a file output is mode 0600). Records the key may not open are skipped
 * and counted; if it opens none at all the command says why (wrong epoch, tenant or authority,
 * a retired vector key, no policy the key satisfies) and fails with exit 6.
 */
import { createOpener, type Opener } from '@sealvec/core';
import { diagnose } from '@sealvec/qdrant';
import { FileAccessFacts, headerFacts, noAccess } from '../access.js';
import { loadAuthorityPublicKey, readerTrust, v1UserKey } from '../authority-key.js';
import type { GlobalOptions } from '../global-options.js';
import { openSealedInput } from '../input/sealed.js';
import type { Io } from '../io.js';
import { keyContext, keyDirFor, loadUserKey } from '../keyfiles.js';
import type { Output } from '../output/atomic.js';
import { openPlaintextOutput, plaintextLine } from '../output/plaintext.js';
import { createProgress } from '../progress.js';
import { createReporter, plural } from '../report.js';
import { cipherFor, trustFileScheme } from '../scheme.js';

export interface DecryptOptions extends GlobalOptions {
  input: string;
  key: string;
  output?: string | undefined;
  /** commander's --no-vector gives false. */
  vector?: boolean | undefined;
  /** Read a format v1 sealed file, whose scheme is not signed. */
  allowV1?: boolean | undefined;
  /** The authority public key file to verify with (else the user key's own copy). */
  authority?: string | undefined;
}

export interface DecryptResult {
  records: number;
  opened: number;
  denied: number;
  /** Records under a vector key the keyset does not hold (retired). */
  unknownKey: number;
}

export async function decrypt(opts: DecryptOptions, io: Io): Promise<DecryptResult> {
  const ctx = keyContext(io, opts);
  const user = await loadUserKey(opts.key, ctx);
  const trust = readerTrust(user, opts.key, opts.authority === undefined ? undefined : await loadAuthorityPublicKey(opts.authority, io));
  const keyset = await keyDirFor(io, opts, ctx).keyset();
  const kids = keyset.info().keys.map((k) => k.kid);
  const file = await openSealedInput(opts.input, io);
  const output = opts.output ?? '-';
  let out: Output | undefined;
  const res: DecryptResult = { records: 0, opened: 0, denied: 0, unknownKey: 0 };
  const progress = createProgress(io, opts, { label: 'decrypt', totalBytes: file.size, total: () => file.rows });
  const withVector = opts.vector !== false;
  try {
    const { scheme, tenant, collection } = file.header;
    const about = { collection, authority: scheme.authority, tenant };
    if (user.authorityId !== scheme.authority || user.tenant !== tenant) {
      throw noAccess(opts.key, diagnose(headerFacts(user, about, kids)), { file: opts.input });
    }
    // The file is hostile input: its scheme must carry the authority's writer's signature. A v1
    // file (unsigned scheme) only behind --allow-v1, like a v1 collection, with a warning.
    if (scheme.version === 2 && user.writerPublicKey === null) throw v1UserKey(opts.key);
    trustFileScheme(scheme, opts.input, trust, { allowV1: opts.allowV1 === true, warn: (line) => io.stderr.write(`${line}\n`) });
    out = await openPlaintextOutput(output, io.stdout, io.cwd);
    const facts = new FileAccessFacts(user, collection, scheme.prefilter);
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
      facts.add(record);
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
      buf += plaintextLine(got);
      if (buf.length > 1 << 20) {
        await out.write(buf);
        buf = '';
        progress.update(res.records, file.bytesRead);
      }
    }
    if (buf) await out.write(buf);
    if (res.records > 0 && res.opened === 0) {
      // Every record was tried, so "no shared tuple" is known here even without tokens.
      const f = facts.facts(about, kids);
      const d = diagnose(f).opensNothing ? diagnose(f) : diagnose({ ...f, tokenMatches: 0 });
      throw noAccess(opts.key, d, { file: opts.input });
    }
    await out.commit();
  } catch (e) {
    await out?.abort();
    throw e;
  } finally {
    progress.finish();
    await file.close();
  }
  const r = createReporter(io, { ...opts, resultsToStderr: output === '-' });
  const text = `Opened ${plural(res.opened, 'record')} of ${res.records}${res.denied ? `; ${res.denied} not readable with this key` : ''}${
    res.unknownKey ? `; ${res.unknownKey} under a retired vector key` : ''
  }`;
  if (opts.json) r.result(res, text);
  else r.note(text);
  return res;
}
