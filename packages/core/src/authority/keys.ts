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
import { aint, astring, isWellFormed, utf8Length } from '../utils.js';
import { primitives } from '#primitives';
import type { Ed25519Signer, Ed25519Verifier } from '../primitives/api.js';
import { deriveEscrowKey, deriveFieldKey, deriveTupleKey } from './derive.js';
import { tupleMaterial, type TupleMaterial } from './material.js';
import { AuthorityPublicKey, authoritySigner, writerSigner } from './signing.js';

/** Writers cache the material of at most this many tuples (then start over). */
const WRITER_CACHE_LIMIT = 4096;

interface AuthoritySecrets {
  master: Uint8Array;
  signer: Ed25519Signer;
}
interface WriterSecrets {
  epochSecret: Uint8Array;
  escrowKey: Uint8Array;
  blindIndexRoot: Uint8Array;
  tuples: Map<string, TupleMaterial>;
  fields: Map<string, Uint8Array>;
  /** W of this (epoch, tenant), made on first use. */
  signer: Ed25519Signer | undefined;
  verifier: Ed25519Verifier | undefined;
  /** The authority's signature on (tenant, epoch, W.pub); null for keys imported from format v1. */
  certificate: Uint8Array | null;
}
interface UserSecrets {
  tupleKeys: readonly Uint8Array[];
  material: TupleMaterial[] | undefined;
  fields: ReadonlyMap<string, Uint8Array>;
  /** W.pub of the user key's (epoch, tenant); null for keys imported from format v1. */
  writerPublicKey: Uint8Array | null;
  /** The authority's certificate of that W.pub (the writer key's own); null for format v1. */
  certificate: Uint8Array | null;
  verifier: Ed25519Verifier | undefined;
}

/** What console.log and util.inspect print for key objects (Node looks the symbol up). */
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

const AUTHORITY = new WeakMap<Authority, AuthoritySecrets>();
const WRITER = new WeakMap<WriterKey, WriterSecrets>();
const USER = new WeakMap<UserKey, UserSecrets>();

export class Authority {
  readonly kind = 'authority' as const;
  readonly id: string;
  readonly schema: PolicySchema;
  /** The current epoch: new writer and user keys default to it. */
  readonly epoch: number;
  /** The authority's public signing key (it certifies writer keys); safe to share. */
  readonly publicKey: AuthorityPublicKey;

  /** @internal Use `generateAuthority` / `authorityFromMaster` / `importAuthority`. */
  constructor(id: string, schema: PolicySchema, epoch: number, master: Uint8Array) {
    this.id = id;
    this.schema = schema;
    this.epoch = epoch;
    const signer = authoritySigner(master);
    this.publicKey = new AuthorityPublicKey(id, signer.publicKey);
    AUTHORITY.set(this, { master: Uint8Array.from(master), signer });
    Object.freeze(this);
  }

  toJSON(): object {
    return { kind: this.kind, id: this.id, schema: this.schema.dimensions, epoch: this.epoch };
  }
  toString(): string {
    return `Authority(${this.id}, epoch ${this.epoch})`;
  }
  [INSPECT](): string {
    return this.toString();
  }
}

export class WriterKey {
  readonly kind = 'writer' as const;
  readonly authorityId: string;
  readonly schema: PolicySchema;
  readonly tenant: string;
  readonly epoch: number;
  /** The authority's public key, when the key carries a certificate from it (format v2). */
  readonly authorityKey: AuthorityPublicKey | null;

  /** @internal Use `createWriterKey` / `importWriterKey`. */
  constructor(
    authorityId: string,
    schema: PolicySchema,
    tenant: string,
    epoch: number,
    epochSecret: Uint8Array,
    blindIndexRoot: Uint8Array,
    certified: { authorityKey: AuthorityPublicKey; certificate: Uint8Array } | null = null,
  ) {
    this.authorityId = authorityId;
    this.schema = schema;
    this.tenant = tenant;
    this.epoch = epoch;
    this.authorityKey = certified?.authorityKey ?? null;
    const s = Uint8Array.from(epochSecret);
    WRITER.set(this, {
      epochSecret: s,
      escrowKey: deriveEscrowKey(s),
      blindIndexRoot: Uint8Array.from(blindIndexRoot),
      tuples: new Map(),
      fields: new Map(),
      signer: undefined,
      verifier: undefined,
      certificate: certified === null ? null : Uint8Array.from(certified.certificate),
    });
    Object.freeze(this);
  }

  /** W.pub: the public key readers verify this writer's records with. */
  get publicKey(): Uint8Array {
    return Uint8Array.from(writerSigning(this).publicKey);
  }

  toJSON(): object {
    return { kind: this.kind, authority: this.authorityId, tenant: this.tenant, epoch: this.epoch };
  }
  toString(): string {
    return `WriterKey(${this.authorityId}, tenant ${JSON.stringify(this.tenant)}, epoch ${this.epoch})`;
  }
  [INSPECT](): string {
    return this.toString();
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
  /** The authority's public key (format v2 keys; null for keys imported from format v1). */
  readonly authorityKey: AuthorityPublicKey | null;

  /** @internal Use `issueUserKey` / `importUserKey`. */
  constructor(
    authorityId: string,
    tenant: string,
    epoch: number,
    attributes: UserAttributes,
    tuples: readonly Tuple[],
    tupleKeys: readonly Uint8Array[],
    fields: ReadonlyMap<string, Uint8Array>,
    signing: { authorityKey: AuthorityPublicKey; writerPublicKey: Uint8Array; certificate: Uint8Array } | null = null,
  ) {
    if (tuples.length !== tupleKeys.length) throw new RangeError('"tupleKeys" expected one key per tuple');
    this.authorityId = authorityId;
    this.tenant = tenant;
    this.epoch = epoch;
    this.attributes = attributes;
    this.tuples = Object.freeze(tuples.slice());
    this.blindIndexFields = Object.freeze([...fields.keys()].sort());
    this.authorityKey = signing?.authorityKey ?? null;
    USER.set(this, {
      tupleKeys: tupleKeys.map((k) => Uint8Array.from(k)),
      material: undefined,
      fields: new Map(fields),
      writerPublicKey: signing === null ? null : Uint8Array.from(signing.writerPublicKey),
      certificate: signing === null ? null : Uint8Array.from(signing.certificate),
      verifier: undefined,
    });
    Object.freeze(this);
  }

  /** W.pub of this key's (epoch, tenant): the writer whose signatures this key accepts (a copy). */
  get writerPublicKey(): Uint8Array | null {
    const w = userSecrets(this).writerPublicKey;
    return w === null ? null : Uint8Array.from(w);
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
  [INSPECT](): string {
    return this.toString();
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

export function authoritySigning(a: Authority): Ed25519Signer {
  return must(AUTHORITY, a, 'authority').signer;
}

/** W of a writer key (derived from its epoch secret on first use, then cached). */
export function writerSigning(w: WriterKey): Ed25519Signer {
  const s = must(WRITER, w, 'writer');
  s.signer ??= writerSigner(s.epochSecret);
  return s.signer;
}

/** The authority's certificate of this writer key, or null (format v1 key files). */
export function writerCertificate(w: WriterKey): Uint8Array | null {
  return writerSecrets(w).certificate;
}

/** Verifies a record signature by the writer of this writer key's own (epoch, tenant). */
export function verifyByWriter(w: WriterKey, message: Uint8Array, signature: Uint8Array): boolean {
  const s = must(WRITER, w, 'writer');
  s.verifier ??= primitives.ed25519Verifier(writerSigning(w).publicKey);
  return s.verifier.verify(message, signature);
}

/** Verifies a record signature with the writer public key a user key carries (false without one). */
export function verifyForUser(u: UserKey, message: Uint8Array, signature: Uint8Array): boolean {
  const s = must(USER, u, 'userKey');
  if (s.writerPublicKey === null) return false;
  s.verifier ??= primitives.ed25519Verifier(s.writerPublicKey);
  return s.verifier.verify(message, signature);
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
  if (!isWellFormed(t)) {
    throw new RangeError(`"${name}" is not well-formed Unicode (it has a lone surrogate)`);
  }
  const n = utf8Length(t);
  if (n > MAX_TENANT_BYTES) throw new RangeError(`"${name}" expected at most ${MAX_TENANT_BYTES} UTF-8 bytes, got ${n}`);
  return t;
}

export function checkEpoch(epoch: unknown, name = 'epoch'): number {
  return aint(epoch, name, MIN_EPOCH, MAX_EPOCH);
}
