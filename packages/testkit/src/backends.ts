/**
 * The backends every integration test runs against: the embedded store, and QdrantBackend over
 * HTTP to the in-process Qdrant stand-in. A live Qdrant is covered by @sealvec/qdrant's own
 * contract suite (QDRANT_URL), not repeated here.
 */
import { LocalBackend, QdrantBackend, type Backend } from '@sealvec/qdrant';

export interface OpenedBackend {
  backend: Backend;
  /**
   * Makes the backend refuse stored points whose payload matches `test` (as Qdrant refuses a
   * whole batch for one bad point), until called with null. Only the Qdrant stand-in can.
   */
  rejectUpserts?: (test: ((payload: Record<string, unknown>) => boolean) | null) => void;
  close(): Promise<void>;
}

export interface BackendTarget {
  readonly name: string;
  /** Whether `open()` gives `rejectUpserts` (fault injection needs the stand-in). */
  readonly canRejectUpserts: boolean;
  /** A fresh backend (its own stand-in server for Qdrant). */
  open(): Promise<OpenedBackend>;
}

interface Standin {
  readonly url: string;
  rejectUpserts(test: ((p: { payload: Record<string, unknown> }) => boolean) | null, message?: string): void;
  close(): Promise<void>;
}

// The stand-in is test support inside @sealvec/qdrant's sources, kept out of its package index.
// Loaded by path so the type-check of this package does not pull another package's sources in;
// if the stand-in moves, this is the one line to change.
const STANDIN = '../../qdrant/src/__tests__/qdrant-standin/index.js';

async function startStandin(): Promise<Standin> {
  const mod = (await import(/* @vite-ignore */ STANDIN)) as { QdrantStandin: { start(): Promise<Standin> } };
  return mod.QdrantStandin.start();
}

export const BACKENDS: readonly BackendTarget[] = [
  {
    name: 'embedded (LocalBackend)',
    canRejectUpserts: false,
    async open() {
      const backend = new LocalBackend();
      return { backend, close: () => backend.close() };
    },
  },
  {
    name: 'Qdrant stand-in (QdrantBackend over HTTP)',
    canRejectUpserts: true,
    async open() {
      const standin = await startStandin();
      const backend = new QdrantBackend({ url: standin.url, retry: { attempts: 2, baseMs: 1, maxMs: 5 }, timeoutMs: 10_000 });
      return {
        backend,
        rejectUpserts: (test) => standin.rejectUpserts(test === null ? null : (p) => test(p.payload), 'Wrong input: refused by the test'),
        async close() {
          await backend.close();
          await standin.close();
        },
      };
    },
  },
];
