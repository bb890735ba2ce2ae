/**
 * Where sealed records go: a sealed JSONL file (or stdout), or a sealed .npy pair when the output
 * path ends in .npy (sealed-npy.ts). Either way the output appears whole or not at all: each file
 * is written to a temp file and renamed; a pair renames its two files back to back, synchronously,
 * after both are complete and synced.
 */
import { createHash, type Hash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { SignedScheme } from '@sealvec/core';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { isSidecarFile } from '../input/sniff.js';
import { storedDimension } from '../scheme.js';
import { encodeHeaderLine } from '../sealed-file.js';
import { encodeNpyHeader, encodeSidecarHeader, isNpyPath, provisionalSidecarHeader, sidecarPathOf } from '../sealed-npy.js';
import { openOutput, type Output } from './atomic.js';

export type SealedFormat = 'jsonl' | 'npy';

/** Sealed records of one batch, already encoded. */
export interface EncodedRecords {
  rows: number;
  /** jsonl: whole record lines; npy: sidecar lines. UTF-8. */
  lines: Uint8Array;
  /** npy: the rows' ciphertext vectors, rows x stored dimension. */
  vectors?: Float32Array | undefined;
}

export interface SealedOutput {
  readonly format: SealedFormat;
  /** For messages: the path, or "X.npy + X.jsonl". */
  readonly name: string;
  /** The header, first and once. */
  begin(collection: string, tenant: string, scheme: SignedScheme): Promise<void>;
  /** Waits on backpressure; `onFlushed` runs once the records' buffers may be reused. */
  write(records: EncodedRecords, onFlushed?: () => void): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export function sealedFormatOf(path: string): SealedFormat {
  return path !== '-' && isNpyPath(path) ? 'npy' : 'jsonl';
}

/** Write buffering of sealed outputs: a few batches, so writes overlap with sealing. */
const BUFFER_BYTES = 8 << 20;

export async function openSealedOutput(path: string, io: Io): Promise<SealedOutput> {
  if (sealedFormatOf(path) === 'npy') return openPair(path, io);
  const out = await openOutput(path, io.stdout, io.cwd, { bufferBytes: BUFFER_BYTES });
  return {
    format: 'jsonl',
    name: out.name,
    begin: (collection, tenant, scheme) => out.write(encodeHeaderLine(collection, tenant, scheme)),
    write: (r, onFlushed) => out.write(r.lines, onFlushed),
    commit: () => out.commit(),
    abort: () => out.abort(),
  };
}

/**
 * Refuses a sidecar target that exists and is something else (a plaintext JSONL input, a sealed
 * JSONL file): -o names the .npy only, so the .jsonl beside it must not be replaced silently.
 */
async function checkSidecarTarget(sidecar: string, npyPath: string, io: Io): Promise<void> {
  const abs = resolve(io.cwd, sidecar);
  const exists = await stat(abs).then(
    () => true,
    () => false,
  );
  if (exists && !(await isSidecarFile(abs))) {
    throw new UsageError(`${npyPath} is written with its sidecar ${sidecar}, which exists and is not a sealed .npy sidecar: move it away or choose another -o`);
  }
}

async function openPair(path: string, io: Io): Promise<SealedOutput> {
  const sidecarPath = sidecarPathOf(path);
  await checkSidecarTarget(sidecarPath, path, io);
  const npy: Output = await openOutput(path, io.stdout, io.cwd, { bufferBytes: BUFFER_BYTES });
  let side: Output;
  try {
    side = await openOutput(sidecarPath, io.stdout, io.cwd, { bufferBytes: BUFFER_BYTES });
  } catch (e) {
    await npy.abort();
    throw e;
  }
  const hash: Hash = createHash('sha256');
  let rows = 0;
  let dimension = 0;
  let header: { collection: string; tenant: string; scheme: SignedScheme; width: number } | undefined;
  const abort = async () => {
    await npy.abort();
    await side.abort();
  };
  return {
    format: 'npy',
    name: `${path} + ${sidecarPath}`,
    async begin(collection, tenant, scheme) {
      dimension = storedDimension(scheme);
      const provisional = provisionalSidecarHeader(collection, tenant, scheme, dimension);
      header = { collection, tenant, scheme, width: provisional.length };
      await npy.write(encodeNpyHeader(0, dimension));
      await side.write(provisional);
    },
    async write(r, onFlushed) {
      const v = r.vectors;
      if (v === undefined || v.length !== r.rows * dimension) {
        throw new RangeError(`"records.vectors" expected ${r.rows} x ${dimension} values, got ${v?.length ?? 'none'}`);
      }
      const bytes = toLittleEndian(v);
      hash.update(bytes);
      rows += r.rows;
      let pending = 2;
      const done = onFlushed && (() => --pending === 0 && onFlushed());
      await npy.write(bytes, done);
      await side.write(r.lines, done);
    },
    async commit() {
      const h = header!;
      const sha256 = hash.digest('base64url');
      try {
        await npy.prepare([{ offset: 0, bytes: encodeNpyHeader(rows, dimension) }]);
        await side.prepare([{ offset: 0, bytes: encodeSidecarHeader(h.collection, h.tenant, h.scheme, { rows, storedDimension: dimension, sha256 }, h.width) }]);
      } catch (e) {
        await abort();
        throw e;
      }
      // Back to back and synchronous: a SIGINT handler cannot run between the two renames.
      try {
        npy.publishSync();
        side.publishSync();
      } catch (e) {
        await abort();
        throw e;
      }
    },
    abort,
  };
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The float32 values' little-endian bytes (a view on little-endian hosts, every Node target). */
function toLittleEndian(v: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN_HOST) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  const out = new Uint8Array(v.byteLength);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < v.length; i++) dv.setFloat32(4 * i, v[i]!, true);
  return out;
}
