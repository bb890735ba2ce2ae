/**
 * `sealvec export --key K`: every record of a collection the key may open, as plaintext JSONL
 * (a file output is mode 0600, written atomically), with progress. When the key opens nothing
 * the command asks why and fails with exit 6 for a key problem; an empty collection is exit 0.
 */
import { noAccess } from '../access.js';
import type { Io } from '../io.js';
import type { Output } from '../output/atomic.js';
import { openPlaintextOutput, plaintextLine } from '../output/plaintext.js';
import { createProgress } from '../progress.js';
import { createReporter, plural } from '../report.js';
import { openAsUser, type AsUserOptions } from './as-user.js';

export interface ExportOptions extends AsUserOptions {
  output?: string | undefined;
  vector?: boolean | undefined;
}

export async function exportRecords(opts: ExportOptions, io: Io): Promise<{ records: number; opened: number }> {
  const output = opts.output ?? '-';
  const { user, col, backend, label, name } = await openAsUser(opts, io);
  let out: Output | undefined;
  let opened = 0;
  let records = 0;
  try {
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
