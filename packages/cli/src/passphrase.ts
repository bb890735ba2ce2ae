/**
 * Where a passphrase comes from: SEALVEC_PASSPHRASE, else a prompt on the terminal (no echo).
 * One command uses one passphrase: the first one given is kept for the rest of the run (opening a
 * protected key directory and writing it back after a rotation ask once). A new protection asks
 * twice on a terminal and refuses passphrases shorter than MIN_PASSPHRASE_LENGTH. The passphrase
 * is never printed, logged, or put in an error.
 */
import { DEFAULT_SCRYPT, passphraseProvider, type KeyProvider } from '@sealvec/core';
import { KeyFileError, UsageError } from './errors.js';
import type { Io } from './io.js';

export const MIN_PASSPHRASE_LENGTH = 8;
/** SEALVEC_SCRYPT_LOG_N may lower the cost of new protections down to this (never below). */
export const MIN_CLI_SCRYPT_LOG_N = 14;

/** scrypt logN of new protections: SEALVEC_SCRYPT_LOG_N (14..20), default 17. */
export function scryptLogN(env: Io['env']): number {
  const v = env.SEALVEC_SCRYPT_LOG_N;
  if (v === undefined || v === '') return DEFAULT_SCRYPT.logN;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < MIN_CLI_SCRYPT_LOG_N || n > 20) throw new UsageError(`SEALVEC_SCRYPT_LOG_N expected an integer in [${MIN_CLI_SCRYPT_LOG_N}, 20], got ${JSON.stringify(v)}`);
  return n;
}

export class PassphraseSource {
  readonly #io: Pick<Io, 'env' | 'prompt'>;
  #value: string | undefined;

  constructor(io: Pick<Io, 'env' | 'prompt'>) {
    this.#io = io;
  }

  #fromEnv(): string | undefined {
    const v = this.#io.env.SEALVEC_PASSPHRASE;
    return v === undefined || v === '' ? undefined : v;
  }

  async #ask(question: string, what: string): Promise<string> {
    const prompt = this.#io.prompt;
    if (prompt === undefined) {
      throw new KeyFileError(`${what} needs a passphrase: set SEALVEC_PASSPHRASE, or run on a terminal to be asked`);
    }
    try {
      return await prompt(question);
    } catch (e) {
      throw new KeyFileError(`${what} needs a passphrase: ${(e as Error).message} (set SEALVEC_PASSPHRASE instead)`);
    }
  }

  /** The passphrase that opens `what`. */
  async forOpening(what: string): Promise<string> {
    if (this.#value !== undefined) return this.#value;
    const v = this.#fromEnv() ?? (await this.#ask(`Passphrase for ${what}: `, what));
    if (v === '') throw new UsageError('the passphrase is empty');
    this.#value = v;
    return v;
  }

  /** A passphrase for a new protection of `what` (asked twice on a terminal). */
  async forNew(what: string): Promise<string> {
    if (this.#value !== undefined) return this.#value;
    let v = this.#fromEnv();
    if (v === undefined) {
      v = await this.#ask(`New passphrase for ${what}: `, what);
      if (v.length >= MIN_PASSPHRASE_LENGTH && (await this.#ask('Repeat it: ', what)) !== v) throw new UsageError('the two passphrases differ');
    }
    if (v.length < MIN_PASSPHRASE_LENGTH) throw new UsageError(`the passphrase is shorter than ${MIN_PASSPHRASE_LENGTH} characters`);
    this.#value = v;
    return v;
  }

  /** A KeyProvider asking lazily (only when a key is actually wrapped or unwrapped). */
  provider(what: string, purpose: 'open' | 'new'): KeyProvider {
    const get = purpose === 'new' ? () => this.forNew(what) : () => this.forOpening(what);
    return passphraseProvider(get, purpose === 'new' ? { scrypt: { logN: scryptLogN(this.#io.env) } } : {});
  }
}
