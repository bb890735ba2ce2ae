/**
 * `sealvec keys public`: the authority public key file (`sealvec/authority-public-key`, exactly as
 * @sealvec/core's exportAuthorityPublicKey writes it), for readers to pin with `--authority FILE`
 * and for services that open collections without any key of the authority. It holds no secret:
 * printed on stdout by default, or written with -o (mode 0644, atomic).
 */
import { exportAuthorityPublicKey } from '@sealvec/core';
import { UsageError } from '../errors.js';
import type { GlobalOptions } from '../global-options.js';
import type { Io } from '../io.js';
import { authorityPublicKeyOf, keyDirFor } from '../keyfiles.js';
import { OutputExists, writeFileAtomic } from '../output/atomic.js';
import { createReporter } from '../report.js';

export interface PublicKeyOptions extends GlobalOptions {
  /** Default - (stdout). */
  output?: string | undefined;
  force?: boolean | undefined;
}

export async function keysPublic(opts: PublicKeyOptions, io: Io): Promise<void> {
  const { key, source } = await authorityPublicKeyOf(keyDirFor(io, opts));
  const text = exportAuthorityPublicKey(key);
  const output = opts.output ?? '-';
  if (output === '-') {
    // The file itself; with --json on one line, like every other JSON result.
    io.stdout.write(opts.json ? `${JSON.stringify(key.toJSON())}\n` : `${text}\n`);
    return;
  }
  try {
    await writeFileAtomic(output, `${text}\n`, io.cwd, { mode: 0o644, exclusive: opts.force !== true });
  } catch (e) {
    if (e instanceof OutputExists) throw new UsageError(`${output} already exists; use --force to replace it`);
    throw e;
  }
  const { id, publicKey } = key.toJSON();
  createReporter(io, opts).result({ file: output, id, publicKey, source }, [
    `Wrote the public key of authority ${id} (from ${source}) to ${output}`,
    'It holds no secret, but it decides which collections readers accept: distribute it like configuration,',
    `never through the database. Readers use it with --authority ${output}`,
  ]);
}
