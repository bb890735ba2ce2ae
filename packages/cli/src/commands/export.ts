/**
 * `sealvec export --key K`: every record of a collection the key may open, as plaintext JSONL
 * (a file output is mode 0600, written atomically), with progress. When the key opens nothing
 * the command asks why and fails with exit 6 for a key problem; an empty collection is exit 0.
 */
import { SealedCollection } from '@sealvec/qdrant';
import { noAccess } from '../access.js';
import { openBackend, type BackendOptions } from '../backend.js';
import type { GlobalOptions } from '../global-options.js';
import type { Io } from '../io.js';
import { keyContext, keyDirFor, loadUserKey } from '../keyfiles.js';
import type { Output } from '../output/atomic.js';
import { openPlaintextOutput, plaintextLine } from '../output/plaintext.js';
import { createProgress } from '../progress.js';
import { createReporter, plural } from '../report.js';
import { DEFAULT_COLLECTION } from '../scheme.js';

export interface ExportOptions extends BackendOptions, GlobalOptions {
  key: string;
  output?: string | undefined;
  vector?: boolean | undefined;
  collection?: string | undefined;
  tenant?: string | undefined;
}

export async function exportRecords(opts: ExportOptions, io: Io): Promise<{ records: number; opened: number }> {
  const ctx = keyContext(io, opts);
  const user = await loadUserKey(opts.key, ctx);
  const keyset = await keyDirFor(io, opts, ctx).keyset();
  const name = opts.collection ?? DEFAULT_COLLECTION;
  const tenant = opts.tenant ?? user.tenant;
  const output = opts.output ?? '-';
  const { backend, label } = await openBackend(opts, io);
  let out: Output | undefined;
  let opened = 0;
  let records = 0;
  try {
    const col = await SealedCollection.open(backend, { name, keyset, tenant });
    if (user.authorityId !== col.scheme.authority || user.tenant !== tenant) throw noAccess(opts.key, await col.diagnoseAccess(user), { collection: name });
    records = await col.count();
    const progress = createProgress(io, opts, { label: 'export' });
    out = await openPlaintextOutput(output, io.stdout, io.cwd);
    try {
      let buf = '';
      for await (const rec of col.export(user)) {
        opened++;
        buf += plaintextLine(opts.vector === false ? { id: rec.id, payload: rec.payload } : rec);
        if (buf.length > 1 << 20) {
          await out.write(buf);
          buf = '';
        }
        progress.update(opened);
      }
      if (buf) await out.write(buf);
    } finally {
      progress.finish();
    }
    if (opened === 0) {
      const d = await col.diagnoseAccess(user);
      if (d.opensNothing) throw noAccess(opts.key, d, { collection: name });
      createReporter(io, opts).note(`sealvec: no records exported: ${d.message}`);
    }
    await out.commit();
  } catch (e) {
    await out?.abort();
    throw e;
  } finally {
    await backend.close();
  }
  const r = createReporter(io, { ...opts, resultsToStderr: output === '-' });
  const text = `Exported ${plural(opened, 'record')} readable with ${opts.key} from "${name}" (${label}, ${plural(records, 'record')} for the tenant)`;
  if (opts.json) r.result({ collection: name, backend: label, records, opened }, text);
  else r.note(text);
  return { records, opened };
}
