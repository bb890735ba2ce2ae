/**
 * The three kinds of policy key, as immutable objects whose secrets are out of reach of
 * `JSON.stringify`, `console.log` and property enumeration (they live in a module-private
 * WeakMap; only `serialize.ts` writes them out, explicitly).
 *
 * - Authority: the master secret, the schema and the current epoch. Issues the others.
 * - WriterKey: the secret of one (epoch, tenant). Derives every tuple key of that epoch and
 *   tenant, so it can seal for any policy, and it opens the header escrow (rewrap). Anyone who
 *   holds it can read every record of its epoch and tenant: writers see plaintext anyway.
 * - UserKey: the tuple keys of one (epoch, tenant, attribute set), plus the blind-index keys of
 *   the fields it was issued for.
 */
import { MAX_EPOCH, MIN_EPOCH, MAX_TENANT_BYTES } from '../format/constants.js';
import type { PolicySchema } from '../policy/schema.js';
import type { UserAttributes } from '../policy/policy.js';
import type { Tuple } from '../policy/tuples.js';
import { aint, astring, utf8 } from '../utils.js';
import { deriveEscrowKey, deriveFieldKey, deriveTupleKey } from './derive.js';
import { tupleMaterial, type TupleMaterial } from './material.js';

/** Writers cache the material of at most this many tuples (then start over). */
const WRITER_CACHE_LIMIT = 4096;

interface AuthoritySecrets {
  master: Uint8Array;
}
interface WriterSecrets {
  epochSecret: Uint8Array;
  escrowKey: Uint8Array;
  blindIndexRoot: Uint8Array;
  tuples: Map<string, TupleMaterial>;
  fields: Map<string, Uint8Array>;
}
interface UserSecrets {
  tupleKeys: readonly Uint8Array[];
  material: TupleMaterial[] | undefined;
  fields: ReadonlyMap<string, Uint8Array>;
}

const AUTHORITY = new WeakMap<Authority, AuthoritySecrets>();
const WRITER = new WeakMap<WriterKey, WriterSecrets>();
const USER = new WeakMap<UserKey, UserSecrets>();

export class Authority {
  readonly kind = 'authority' as const;
  readonly id: string;
  readonly schema: PolicySchema;
  /** The current epoch: new writer and user keys default to it. */
  readonly epoch: number;

  /** @internal Use `generateAuthority` / `authorityFromMaster` / `importAuthority`. */
  constructor(id: string, schema: PolicySchema, epoch: number, master: Uint8Array) {
    this.id = id;
    this.schema = schema;
    this.epoch = epoch;
    AUTHORITY.set(this, { master: Uint8Array.from(master) });
    Object.freeze(this);
  }

  toJSON(): object {
    return { kind: this.kind, id: this.id, schema: this.schema.dimensions, epoch: this.epoch };
  }
  toString(): string {
    return `Authority(${this.id}, epoch ${this.epoch})`;
  }
}

export class WriterKey {
  readonly kind = 'writer' as const;
  readonly authorityId: string;
  readonly schema: PolicySchema;
  readonly tenant: string;
  readonly epoch: number;

  /** @internal Use `createWriterKey` / `importWriterKey`. */
  constructor(authorityId: string, schema: PolicySchema, tenant: string, epoch: number, epochSecret: Uint8Array, blindIndexRoot: Uint8Array) {
    this.authorityId = authorityId;
    this.schema = schema;
    this.tenant = tenant;
    this.epoch = epoch;
    const s = Uint8Array.from(epochSecret);
    WRITER.set(this, {
      epochSecret: s,
      escrowKey: deriveEscrowKey(s),
      blindIndexRoot: Uint8Array.from(blindIndexRoot),
      tuples: new Map(),
      fields: new Map(),
    });
    Object.freeze(this);
  }

  toJSON(): object {
    return { kind: this.kind, authority: this.authorityId, tenant: this.tenant, epoch: this.epoch };
  }
  toString(): string {
    return `WriterKey(${this.authorityId}, tenant ${JSON.stringify(this.tenant)}, epoch ${this.epoch})`;
  }
}

export class UserKey {
  readonly kind = 'user' as const;
  readonly authorityId: string;
  readonly tenant: string;
  readonly epoch: number;
  readonly attributes: UserAttributes;
  /** Every tuple this key holds, canonical order (see policy/tuples.ts). */
  readonly tuples: readonly Tuple[];
  /** Payload fields this key can compute blind-index tokens for. */
  readonly blindIndexFields: readonly string[];

  /** @internal Use `issueUserKey` / `importUserKey`. */
  constructor(
    authorityId: string,
    tenant: string,
    epoch: number,
    attributes: UserAttributes,
    tuples: readonly Tuple[],
    tupleKeys: readonly Uint8Array[],
    fields: ReadonlyMap<string, Uint8Array>,
  ) {
    if (tuples.length !== tupleKeys.length) throw new RangeError('"tupleKeys" expected one key per tuple');
    this.authorityId = authorityId;
    this.tenant = tenant;
    this.epoch = epoch;
    this.attributes = attributes;
    this.tuples = Object.freeze(tuples.slice());
    this.blindIndexFields = Object.freeze([...fields.keys()].sort());
    USER.set(this, { tupleKeys: tupleKeys.map((k) => Uint8Array.from(k)), material: undefined, fields: new Map(fields) });
    Object.freeze(this);
  }

  get schema(): PolicySchema {
    return this.attributes.schema;
  }

  toJSON(): object {
    return { kind: this.kind, authority: this.authorityId, tenant: this.tenant, epoch: this.epoch, tuples: this.tuples.length };
  }
  toString(): string {
    return `UserKey(${this.authorityId}, tenant ${JSON.stringify(this.tenant)}, epoch ${this.epoch}, ${this.tuples.length} tuples)`;
  }
}

// ---- Internal accessors (not exported from the package) -----------------------------------------

function must<K extends object, V>(map: WeakMap<K, V>, key: K, what: string): V {
  const v = typeof key === 'object' && key !== null ? map.get(key) : undefined;
  if (v === undefined) throw new TypeError(`"${what}" expected a ${what} made by this library`);
  return v;
}

export function masterOf(a: Authority): Uint8Array {
  return must(AUTHORITY, a, 'authority').master;
}

export function writerSecrets(w: WriterKey): Readonly<WriterSecrets> {
  return must(WRITER, w, 'writer');
}

export function userSecrets(u: UserKey): Readonly<UserSecrets> {
  return must(USER, u, 'userKey');
}

/** The (cached) material of one tuple, derived from the writer's epoch secret. */
export function writerTuple(w: WriterKey, tuple: Tuple, id: string): TupleMaterial {
  const s = writerSecrets(w);
  let m = s.tuples.get(id);
  if (m === undefined) {
    if (s.tuples.size >= WRITER_CACHE_LIMIT) s.tuples.clear();
    const tk = deriveTupleKey(s.epochSecret, w.schema, tuple);
    m = tupleMaterial(tuple, tk);
    tk.fill(0);
    s.tuples.set(id, m);
  }
  return m;
}

/** The material of every tuple a user key holds, in `userKey.tuples` order (derived once). */
export function userMaterial(u: UserKey): readonly TupleMaterial[] {
  const s = USER.get(u);
  if (s === undefined) throw new TypeError('"userKey" expected a UserKey made by this library');
  if (s.material === undefined) s.material = u.tuples.map((t, i) => tupleMaterial(t, s.tupleKeys[i] as Uint8Array));
  return s.material;
}

/** The blind-index key of `field`: any field for a writer, issued fields only for a user. */
export function fieldKeyOf(key: WriterKey | UserKey, field: string): Uint8Array | undefined {
  if (key instanceof WriterKey) {
    const s = writerSecrets(key);
    let k = s.fields.get(field);
    if (k === undefined) {
      k = deriveFieldKey(s.blindIndexRoot, field);
      s.fields.set(field, k);
    }
    return k;
  }
  return userSecrets(key).fields.get(field);
}

// ---- Shared argument checks -------------------------------------------------------------------

export function checkTenant(tenant: unknown, name = 'tenant'): string {
  const t = astring(tenant, name);
  const n = utf8(t).length;
  if (n > MAX_TENANT_BYTES) throw new RangeError(`"${name}" expected at most ${MAX_TENANT_BYTES} UTF-8 bytes, got ${n}`);
  return t;
}

export function checkEpoch(epoch: unknown, name = 'epoch'): number {
  return aint(epoch, name, MIN_EPOCH, MAX_EPOCH);
}
