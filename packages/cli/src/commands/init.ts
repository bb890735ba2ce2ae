/** `sealvec init`: a new key directory (authority, vector keyset, writer key), files mode 0600. */
import {
  authorityInfo,
  createSchema,
  createWriterKey,
  DEFAULT_DIMENSIONS,
  exportAuthority,
  exportWriterKey,
  generateAuthority,
  VectorKeyset,
  writerKeyInfo,
} from '@sealvec/core';
import { UsageError } from '../errors.js';
import type { GlobalOptions } from '../global-options.js';
import type { Io } from '../io.js';
import { defaultKeyDir, ensureKeyDir, exists, KEY_FILES, keyDirFor, type KeyFileName } from '../keyfiles.js';
import { createReporter, table } from '../report.js';

export interface InitOptions extends GlobalOptions {
  force?: boolean | undefined;
  /** Passphrase-protect the three files at rest. */
  protect?: boolean | undefined;
  /** Policy dimensions (default role, group, department). */
  schema?: string[] | undefined;
}

export async function init(opts: InitOptions, io: Io): Promise<void> {
  const dir = defaultKeyDir(io, opts.keys);
  const kd = keyDirFor(io, opts);
  const present: string[] = [];
  for (const f of Object.keys(KEY_FILES) as KeyFileName[]) if (await exists(kd.path(f))) present.push(KEY_FILES[f]);
  if (present.length > 0 && !opts.force) {
    throw new UsageError(`${dir} already holds keys (${present.join(', ')}); use --force to replace them (the old keys are then lost for good)`);
  }
  const schema = createSchema(opts.schema ?? DEFAULT_DIMENSIONS);
  const authority = generateAuthority({ schema });
  const keyset = VectorKeyset.create();
  const writer = createWriterKey(authority);
  await ensureKeyDir(dir);
  const how = { force: opts.force === true, protect: opts.protect === true };
  await kd.write('vectors', keyset.export(), how);
  await kd.write('authority', exportAuthority(authority), how);
  await kd.write('writer', exportWriterKey(writer), how);

  const r = createReporter(io, opts);
  r.result(
    { keys: dir, protected: how.protect, authority: authorityInfo(authority), vectors: keyset.info(), writer: writerKeyInfo(writer) },
    [
      `Initialized a key directory at ${dir}`,
      ...table([
        ['authority', `${authority.id} (epoch ${authority.epoch}, schema ${schema.dimensions.join(', ')})`],
        ['vector key', `${keyset.primary.kid} (primary)`],
        ['files', `${KEY_FILES.authority}, ${KEY_FILES.vectors}, ${KEY_FILES.writer} (mode 0600${how.protect ? ', passphrase-protected' : ''})`],
      ]).map((l) => `  ${l}`),
      '',
      'Keep authority.json offline if you can: it issues every key. Back the directory up with',
      '"sealvec keys export -o keys.backup" (see docs/keys.md). Next:',
      '  sealvec keys issue --role analyst -o analyst.key',
      '  sealvec encrypt -i vectors.jsonl -o sealed.jsonl --policy "role=analyst"',
    ],
  );
}
