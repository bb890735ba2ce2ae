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
import type { Io } from '../io.js';
import { defaultKeyDir, ensureKeyDir, exists, KEY_FILES, KeyDir, writeSecretFile } from '../keyfiles.js';
import { createReporter, table } from '../report.js';

export interface InitOptions {
  keys?: string | undefined;
  force?: boolean | undefined;
  /** Policy dimensions (default role, group, department). */
  schema?: string[] | undefined;
  json?: boolean | undefined;
  quiet?: boolean | undefined;
}

export async function init(opts: InitOptions, io: Io): Promise<void> {
  const dir = defaultKeyDir(io, opts.keys);
  const kd = new KeyDir(dir, io);
  const present: string[] = [];
  for (const f of Object.keys(KEY_FILES) as (keyof typeof KEY_FILES)[]) if (await exists(kd.path(f))) present.push(KEY_FILES[f]);
  if (present.length > 0 && !opts.force) {
    throw new UsageError(`${dir} already holds keys (${present.join(', ')}); use --force to replace them (the old keys are then lost for good)`);
  }
  const schema = createSchema(opts.schema ?? DEFAULT_DIMENSIONS);
  const authority = generateAuthority({ schema });
  const keyset = VectorKeyset.create();
  const writer = createWriterKey(authority);
  await ensureKeyDir(dir);
  const force = opts.force === true;
  await writeSecretFile(kd.path('vectors'), keyset.export(), io, force);
  await writeSecretFile(kd.path('authority'), exportAuthority(authority), io, force);
  await writeSecretFile(kd.path('writer'), exportWriterKey(writer), io, force);

  const r = createReporter(io, opts);
  r.result(
    { keys: dir, authority: authorityInfo(authority), vectors: keyset.info(), writer: writerKeyInfo(writer) },
    [
      `Initialized a key directory at ${dir}`,
      ...table([
        ['authority', `${authority.id} (epoch ${authority.epoch}, schema ${schema.dimensions.join(', ')})`],
        ['vector key', `${keyset.primary.kid} (primary)`],
        ['files', `${KEY_FILES.authority}, ${KEY_FILES.vectors}, ${KEY_FILES.writer} (mode 0600)`],
      ]).map((l) => `  ${l}`),
      '',
      'Keep authority.json offline if you can: it issues every key. Next:',
      '  sealvec keys issue --role analyst -o analyst.key',
      '  sealvec encrypt -i vectors.jsonl -o sealed.jsonl --policy "role=analyst"',
    ],
  );
}
