/**
 * `sealvec get --key K ID...`: the records with these ids that the key may open, as plaintext
 * JSONL (like decrypt). An id that is absent and one the key may not open look the same (no
 * oracle); when none opens, the command asks why: a key that can open nothing in the collection
 * fails with exit 6, otherwise the ids are reported as not found or not readable (exit 4).
 */
import { NotFound } from '@sealvec/core';
import { noAccess } from '../access.js';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { openPlaintextOutput, plaintextLine } from '../output/plaintext.js';
import { createReporter, plural } from '../report.js';
import { openAsUser, type AsUserOptions } from './as-user.js';

export interface GetOptions extends AsUserOptions {
  ids: string[];
  output?: string | undefined;
  vector?: boolean | undefined;
}

export async function get(opts: GetOptions, io: Io): Promise<void> {
  if (opts.ids.length === 0) throw new UsageError('give at least one record id');
  const output = opts.output ?? '-';
  const { user, col, backend, name } = await openAsUser(opts, io);
  const missing: string[] = [];
  let opened = 0;
  try {
    const got = await col.get(opts.ids, user);
    if (got.every((g) => g === null)) {
      const d = await col.diagnoseAccess(user);
      if (d.opensNothing) throw noAccess(opts.key, d, { collection: name });
      throw new NotFound(`none of ${opts.ids.map((i) => JSON.stringify(i)).join(', ')} exists in collection "${name}" or is readable with ${opts.key}`);
    }
    const out = await openPlaintextOutput(output, io.stdout, io.cwd);
    try {
      for (let i = 0; i < got.length; i++) {
        const g = got[i];
        if (g === null || g === undefined) {
          missing.push(opts.ids[i]!);
          continue;
        }
        opened++;
        await out.write(plaintextLine(opts.vector === false ? { id: g.id, payload: g.payload } : g));
      }
      await out.commit();
    } catch (e) {
      await out.abort();
      throw e;
    }
  } finally {
    await backend.close();
  }
  const r = createReporter(io, { ...opts, resultsToStderr: output === '-' });
  const text = `Opened ${plural(opened, 'record')} of ${opts.ids.length}${missing.length ? `; not found or not readable with this key: ${missing.join(', ')}` : ''}`;
  if (opts.json) r.result({ requested: opts.ids.length, opened, missing }, text);
  else r.note(text);
}
