/**
 * `sealvec keys issue | info | rotate`: user keys for operators to hand out, secret-free views of
 * any key file (protected ones included, without asking for the passphrase), epoch and
 * vector-key rotation. Retiring is in ./keys-retire.ts, backups in ./keys-backup.ts.
 */
import {
  authorityInfo,
  createAttributes,
  createWriterKey,
  exportAuthority,
  exportUserKey,
  exportWriterKey,
  generateVectorKey,
  importAuthority,
  importUserKey,
  importWriterKey,
  InvalidKey,
  isProtectedText,
  issueUserKey,
  protectedInfo,
  rotateEpoch,
  userKeyInfo,
  VectorKeyset,
  writerKeyInfo,
  type DimensionMap,
  type PolicySchema,
} from '@sealvec/core';
import { UsageError } from '../errors.js';
import type { GlobalOptions } from '../global-options.js';
import type { Io } from '../io.js';
import { defaultKeyDir, KEY_FILES, keyContext, keyDirFor, readSecretFile, writeKeyText, type KeyFileName } from '../keyfiles.js';
import { createReporter, table } from '../report.js';

export type KeysCommon = GlobalOptions;

export interface IssueOptions extends KeysCommon {
  /** Required for user keys; for --writer, default the key directory's writer.json. */
  output?: string | undefined;
  /** Issue the writer key of the tenant and epoch instead of a user key. */
  writer?: boolean | undefined;
  role?: string[] | undefined;
  group?: string[] | undefined;
  department?: string[] | undefined;
  /** `dim=v1,v2` for any schema dimension (custom schemas). */
  attr?: string[] | undefined;
  tenant?: string | undefined;
  epoch?: number | undefined;
  blindIndex?: string[] | undefined;
  force?: boolean | undefined;
  /** Passphrase-protect the key file. */
  protect?: boolean | undefined;
}

/** Collects `--role a --role b,c --attr department=x` into a dimension map. */
export function attributesFrom(schema: PolicySchema, opts: Pick<IssueOptions, 'role' | 'group' | 'department' | 'attr'>): DimensionMap {
  const map: Record<string, string[]> = {};
  const add = (dim: string, values: string[], flag: string) => {
    if (!schema.dimensions.includes(dim)) {
      throw new UsageError(`${flag}: the authority's schema has no dimension "${dim}" (schema: ${schema.dimensions.join(', ')})`);
    }
    for (const v of values) {
      const t = v.trim();
      if (t !== '') (map[dim] ??= []).push(t);
    }
  };
  const split = (list: string[] | undefined) => (list ?? []).flatMap((v) => v.split(','));
  if (opts.role?.length) add('role', split(opts.role), '--role');
  if (opts.group?.length) add('group', split(opts.group), '--group');
  if (opts.department?.length) add('department', split(opts.department), '--department');
  for (const a of opts.attr ?? []) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new UsageError(`--attr expected DIMENSION=VALUE[,VALUE], got ${JSON.stringify(a)}`);
    add(a.slice(0, eq).trim(), a.slice(eq + 1).split(','), '--attr');
  }
  return map;
}

export async function keysIssue(opts: IssueOptions, io: Io): Promise<void> {
  if (opts.writer) return issueWriter(opts, io);
  if (opts.output === undefined) throw new UsageError('give the user key a file with -o (user keys are secrets and are never printed)');
  if (opts.output === '-') throw new UsageError('user keys are secrets and are never written to stdout; give a file with -o');
  const output = opts.output;
  const kd = keyDirFor(io, opts);
  const authority = await kd.authority();
  checkEpochOption(opts.epoch, authority.epoch);
  const attrs = createAttributes(authority.schema, attributesFrom(authority.schema, opts));
  if (attrs.values.every((v) => v.length === 0)) {
    throw new UsageError(`give the user at least one attribute (${authority.schema.dimensions.map((d) => `--${d === 'role' || d === 'group' || d === 'department' ? d : `attr ${d}=`}`).join(', ')})`);
  }
  const user = issueUserKey(authority, attrs, {
    ...(opts.tenant !== undefined ? { tenant: opts.tenant } : {}),
    ...(opts.epoch !== undefined ? { epoch: opts.epoch } : {}),
    ...(opts.blindIndex !== undefined ? { blindIndexFields: opts.blindIndex } : {}),
  });
  await writeKeyText(output, exportUserKey(user), kd.ctx, { force: opts.force === true, protect: opts.protect === true });
  const info = userKeyInfo(user);
  const r = createReporter(io, opts);
  r.result({ file: output, protected: opts.protect === true, key: info }, [
    `Issued a user key to ${output} (mode 0600${opts.protect ? ', passphrase-protected' : ''})`,
    ...table([
      ['attributes', formatAttrs(info.attributes)],
      ['authority', `${info.authority}, epoch ${info.epoch}${info.tenant ? `, tenant ${JSON.stringify(info.tenant)}` : ''}`],
      ['tuple keys', String(info.tuples)],
      ...(info.blindIndexFields.length ? [['blind index', info.blindIndexFields.join(', ')] as [string, string]] : []),
    ]).map((l) => `  ${l}`),
  ]);
}

function checkEpochOption(epoch: number | undefined, current: number): void {
  if (epoch !== undefined && epoch > current) throw new UsageError(`--epoch ${epoch} is later than the authority's current epoch ${current}`);
}

/**
 * `keys issue --writer`: the certified (version 2) writer key of a tenant and epoch. Without -o it
 * replaces the key directory's writer.json, which is safe (authority.json, read here, derives it
 * again) and is how a version 1 writer.json is upgraded without starting a new epoch.
 */
async function issueWriter(opts: IssueOptions, io: Io): Promise<void> {
  const attrs = [opts.role, opts.group, opts.department, opts.attr, opts.blindIndex].some((v) => v !== undefined && v.length > 0);
  if (attrs) throw new UsageError('--writer issues a writer key, which takes no attributes or --blind-index (it seals for any policy); give only --tenant or --epoch');
  const kd = keyDirFor(io, opts);
  const authority = await kd.authority();
  checkEpochOption(opts.epoch, authority.epoch);
  if (opts.output === undefined && opts.epoch !== undefined && opts.epoch !== authority.epoch) {
    throw new UsageError(`writer.json holds the current epoch's writer key (${authority.epoch}); write an older epoch's with -o FILE`);
  }
  const writer = createWriterKey(authority, {
    ...(opts.tenant !== undefined ? { tenant: opts.tenant } : {}),
    ...(opts.epoch !== undefined ? { epoch: opts.epoch } : {}),
  });
  let file: string;
  let protect: boolean;
  if (opts.output === undefined) {
    file = kd.path('writer');
    protect = opts.protect === true || (await kd.isProtected('writer'));
    await kd.write('writer', exportWriterKey(writer), { protect });
  } else {
    file = opts.output;
    protect = opts.protect === true;
    await writeKeyText(file, exportWriterKey(writer), kd.ctx, { force: opts.force === true, protect });
  }
  const info = writerKeyInfo(writer);
  createReporter(io, opts).result({ file, protected: protect, key: info }, [
    `Issued the writer key to ${file} (mode 0600${protect ? ', passphrase-protected' : ''}); it carries the authority's certificate`,
    ...table([['authority', `${info.authority}, epoch ${info.epoch}${info.tenant ? `, tenant ${JSON.stringify(info.tenant)}` : ''}`]]).map((l) => `  ${l}`),
  ]);
}

function formatAttrs(a: Record<string, string[]>): string {
  const parts = Object.entries(a)
    .filter(([, v]) => v.length > 0)
    .map(([k, v]) => `${k}=${v.join(',')}`);
  return parts.length ? parts.join('; ') : '(none)';
}

export interface InfoOptions extends KeysCommon {
  file?: string | undefined;
}

/** The secret-free view of one key file, whatever its kind (a protected one is described unopened). */
export function describeKeyText(text: string, name: string): { kind: string; info: unknown; lines: string[] } {
  if (isProtectedText(text)) {
    let p: ReturnType<typeof protectedInfo>;
    try {
      p = protectedInfo(text);
    } catch (e) {
      if (e instanceof InvalidKey) throw new InvalidKey(`${name}: ${e.message}`);
      throw e;
    }
    const what = p.holds.replace(/^sealvec\//, '').replace(/-/g, ' ');
    const params = Object.entries(p.params).map(([k, v]) => `${k} ${v}`).join(', ');
    return {
      kind: `protected ${what}`,
      info: { protected: true, holds: p.holds, provider: p.provider, params: p.params },
      lines: table([
        ['kind', `${what}, passphrase-protected`],
        ['protection', `${p.provider}${params ? ` (${params})` : ''} + XChaCha20-Poly1305`],
      ]),
    };
  }
  let type: unknown;
  try {
    type = (JSON.parse(text) as { type?: unknown }).type;
  } catch {
    throw new InvalidKey(`${name}: not a sealvec key file (not JSON)`);
  }
  const wrap = <T>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      if (e instanceof InvalidKey) throw new InvalidKey(`${name}: ${e.message}`);
      throw e;
    }
  };
  switch (type) {
    case 'sealvec/user-key': {
      const i = userKeyInfo(wrap(() => importUserKey(text)));
      return {
        kind: 'user key',
        info: i,
        lines: table([
          ['kind', 'user key'],
          ['attributes', formatAttrs(i.attributes)],
          ['authority', i.authority],
          ['epoch', String(i.epoch)],
          ['tenant', JSON.stringify(i.tenant)],
          ['tuple keys', String(i.tuples)],
          ['blind index', i.blindIndexFields.join(', ') || '(none)'],
        ]),
      };
    }
    case 'sealvec/writer-key': {
      const i = writerKeyInfo(wrap(() => importWriterKey(text)));
      return {
        kind: 'writer key',
        info: i,
        lines: table([
          ['kind', 'writer key'],
          ['authority', i.authority],
          ['epoch', String(i.epoch)],
          ['tenant', JSON.stringify(i.tenant)],
          ['schema', i.schema.join(', ')],
        ]),
      };
    }
    case 'sealvec/authority': {
      const i = authorityInfo(wrap(() => importAuthority(text)));
      return {
        kind: 'authority',
        info: i,
        lines: table([
          ['kind', 'authority'],
          ['id', i.id],
          ['epoch', String(i.epoch)],
          ['schema', i.schema.join(', ')],
        ]),
      };
    }
    case 'sealvec/vector-keyset': {
      const i = wrap(() => VectorKeyset.import(text)).info();
      return {
        kind: 'vector keyset',
        info: i,
        lines: table([
          ['kind', 'vector keyset'],
          ...i.keys.map((k) => [`key ${k.kid}`, `${k.primary ? 'primary, ' : ''}created ${k.created || '?'}`] as [string, string]),
        ]),
      };
    }
    default:
      throw new InvalidKey(`${name}: not a sealvec key file (type ${JSON.stringify(type)})`);
  }
}

export async function keysInfo(opts: InfoOptions, io: Io): Promise<void> {
  const r = createReporter(io, opts);
  const ctx = keyContext(io, opts);
  if (opts.file !== undefined) {
    const text = await readSecretFile(opts.file, 'key file', ctx);
    const d = describeKeyText(text, opts.file);
    r.result({ file: opts.file, kind: d.kind, info: d.info }, d.lines);
    return;
  }
  const dir = defaultKeyDir(io, opts.keys);
  const kd = keyDirFor(io, opts, ctx);
  const json: Record<string, unknown> = { keys: dir };
  const lines: string[] = [`Key directory ${dir}`];
  for (const f of Object.keys(KEY_FILES) as KeyFileName[]) {
    if (!(await kd.has(f))) {
      json[f] = null;
      lines.push('', `${KEY_FILES[f]}: absent`);
      continue;
    }
    const d = describeKeyText(await readSecretFile(kd.path(f), 'key file', ctx), kd.path(f));
    json[f] = d.info;
    lines.push('', `${KEY_FILES[f]}:`, ...d.lines.map((l) => `  ${l}`));
  }
  if (json.authority === null && json.vectors === null && json.writer === null) {
    throw new UsageError(`${dir} holds no keys (run "sealvec init" first, or point --keys or SEALVEC_KEYS at a key directory)`);
  }
  r.result(json, lines);
}

export interface RotateKeysOptions extends KeysCommon {
  /** Rotate only the epoch or only the vector key (default both). */
  only?: 'epoch' | 'vector' | undefined;
}

export async function keysRotate(opts: RotateKeysOptions, io: Io): Promise<void> {
  const kd = keyDirFor(io, opts);
  const doEpoch = opts.only !== 'vector';
  const doVector = opts.only !== 'epoch';
  const result: Record<string, unknown> = {};
  const lines: string[] = [];
  if (doVector) {
    const keyset = await kd.keyset();
    const key = generateVectorKey();
    const next = keyset.add(key).promote(key.kid);
    await kd.write('vectors', next.export());
    result.vector = { previous: keyset.primary.kid, primary: key.kid, keys: next.info().keys.map((k) => k.kid) };
    lines.push(`New primary vector key ${key.kid} (${keyset.primary.kid} kept for reading until retired)`);
  }
  if (doEpoch) {
    const authority = await kd.authority();
    const next = rotateEpoch(authority);
    await kd.write('authority', exportAuthority(next));
    await kd.write('writer', exportWriterKey(createWriterKey(next)));
    result.epoch = { previous: authority.epoch, current: next.epoch };
    lines.push(`Authority ${next.id} moved from epoch ${authority.epoch} to ${next.epoch}; writer.json is for epoch ${next.epoch}`);
  }
  lines.push('', 'Next steps:');
  if (doEpoch) {
    lines.push('  re-issue user keys for the new epoch:     sealvec keys issue ... -o user.key');
    lines.push('  rewrap stored headers to the new epoch:   sealvec rewrap --collection NAME   (or -i sealed.jsonl -o new.jsonl)');
  }
  if (doVector) {
    lines.push('  re-encrypt vectors under the new key:     sealvec rotate --collection NAME   (or -i sealed.jsonl -o new.jsonl)');
    lines.push('  then retire the old vector key:           sealvec keys retire --kid OLD_KID');
  }
  createReporter(io, opts).result(result, lines);
}
