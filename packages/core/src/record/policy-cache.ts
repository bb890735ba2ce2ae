/**
 * Resolving the `policy` argument of seal (object, map or string) to a canonical Policy and its
 * tuples, with caches so that sealing many records under a few policies does the parsing and
 * tuple enumeration once per policy.
 */
import { InvalidPolicy } from '../errors.js';
import { createPolicy, type DimensionMap, type Policy } from '../policy/policy.js';
import { parsePolicy } from '../policy/parse.js';
import { sameSchema, type PolicySchema } from '../policy/schema.js';
import { policyTuples, tupleId, type Tuple } from '../policy/tuples.js';

export interface ResolvedPolicy {
  policy: Policy;
  tuples: readonly Tuple[];
  ids: readonly string[];
  encoded?: Uint8Array;
}

const STRING_CACHE_LIMIT = 1024;

export class PolicyCache {
  readonly #schema: PolicySchema;
  readonly #byObject = new WeakMap<object, ResolvedPolicy>();
  readonly #byString = new Map<string, ResolvedPolicy>();
  readonly #byMapJson = new Map<string, ResolvedPolicy>();

  constructor(schema: PolicySchema) {
    this.#schema = schema;
  }

  resolve(input: Policy | DimensionMap | string): ResolvedPolicy {
    if (typeof input === 'string') {
      let r = this.#byString.get(input);
      if (r === undefined) {
        r = this.#make(parsePolicy(this.#schema, input));
        if (this.#byString.size >= STRING_CACHE_LIMIT) this.#byString.clear();
        this.#byString.set(input, r);
      }
      return r;
    }
    if (typeof input !== 'object' || input === null) throw new InvalidPolicy('policy must be a Policy, an object of dimension lists or a string');
    if (isPolicy(input)) {
      let r = this.#byObject.get(input);
      if (r === undefined) {
        if (!sameSchema(input.schema, this.#schema)) throw new InvalidPolicy('the policy uses a different schema than the writer key');
        r = this.#make(input);
        this.#byObject.set(input, r);
      }
      return r;
    }
    // Plain maps may be edited between calls, so they are cached by their JSON text, not identity;
    // only maps whose JSON text says everything about them (string lists) are cached.
    if (!isPlainStringMap(input)) return this.#make(createPolicy(this.#schema, input as DimensionMap));
    const key = JSON.stringify(input);
    let r = this.#byMapJson.get(key);
    if (r === undefined) {
      r = this.#make(createPolicy(this.#schema, input as DimensionMap));
      if (this.#byMapJson.size >= STRING_CACHE_LIMIT) this.#byMapJson.clear();
      this.#byMapJson.set(key, r);
    }
    return r;
  }

  #make(policy: Policy): ResolvedPolicy {
    const tuples = policyTuples(policy);
    return { policy, tuples, ids: tuples.map(tupleId) };
  }
}

function isPlainStringMap(o: object): boolean {
  if (Object.getPrototypeOf(o) !== Object.prototype) return false;
  for (const v of Object.values(o)) {
    if (v === undefined || typeof v === 'string') continue;
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) return false;
  }
  return true;
}

function isPolicy(p: object): p is Policy {
  return 'schema' in p && 'allowed' in p && Object.isFrozen(p) && Array.isArray((p as Policy).allowed);
}
