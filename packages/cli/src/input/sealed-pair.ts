/**
 * Reading a sealed .npy pair (format: ../sealed-npy.ts) as hostile input. Before any record is
 * handed out: the sidecar's header is validated like a sealed JSONL header plus its "npy" fields;
 * the .npy header must be a 2-D '<f4' C-order array whose rows equal the sidecar's count and whose
 * columns equal the scheme's stored dimension; the file's size must be exactly what the header
 * declares; and the SHA-256 of its rows must be the one the sidecar records (a mixed pair fails
 * here, before anything is written or stored). Then records are read in lockstep, one sidecar line
 * and one row at a time; each is decoded by core's strict stored-point decoder and its point id
 * checked. The rows are hashed again on the way (the file may change between the two reads), and
 * the counts must agree at the end.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { decodeStoredPoint, DimensionMismatch, Malformed, type SealedRecord } from '@sealvec/core';
import { describeFsError, InputFileError } from '../errors.js';
import type { Io } from '../io.js';
import { pointIdOf } from '../point-id.js';
import { parseSidecarHeader, parseSidecarLine, SEALED_NPY_DTYPE, type SidecarHeader } from '../sealed-npy.js';
import { BlockReader, readFloat32 } from './blocks.js';
import { readLines } from './lines.js';
import { readNpyHeader, type NpyHeader } from './npy.js';
import { parseJson } from './record.js';
import type { SealedEntry, SealedInput } from './sealed.js';
import { sealedKindOf } from './sniff.js';
import { openSource, type Source } from './source.js';

async function openPart(path: string, io: Pick<Io, 'stdin' | 'cwd'>, what: string): Promise<Source> {
  try {
    return await openSource(path, io.stdin, io.cwd);
  } catch (e) {
    throw new InputFileError(`${what}: ${describeFsError((e as { cause?: unknown }).cause ?? e)}`, { cause: e });
  }
}

/** SHA-256 (base64url) of bytes [start, end) of a file, streamed. */
async function digestOf(path: string, start: number, end: number): Promise<string> {
  const hash = createHash('sha256');
  if (end > start) {
    try {
      for await (const chunk of createReadStream(path, { start, end: end - 1, highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
    } catch (e) {
      throw new InputFileError(`cannot read ${path}: ${describeFsError(e)}`, { cause: e });
    }
  }
  return hash.digest('base64url');
}

function checkArray(h: NpyHeader, side: SidecarHeader, npyName: string, sideName: string, size: number): void {
  if (h.itemSize !== 4 || !h.littleEndian) {
    throw new Malformed(`${npyName}: a sealed .npy holds float32 '${SEALED_NPY_DTYPE}', this one float${8 * h.itemSize}${h.littleEndian ? '' : ' big-endian'}`);
  }
  const D = side.npy.storedDimension;
  if (h.dimension !== D) {
    throw new DimensionMismatch(`${npyName}: rows have ${h.dimension} values, the scheme in ${sideName} stores ${D}`);
  }
  if (h.rows !== side.npy.rows) {
    throw new Malformed(`${npyName} holds ${h.rows} rows, its sidecar ${sideName} declares ${side.npy.rows} (files from two different writes?)`);
  }
  const expected = h.dataOffset + h.rows * D * 4;
  if (size < expected) {
    const whole = Math.max(0, Math.floor((size - h.dataOffset) / (4 * D)));
    throw new Malformed(`${npyName}:row ${whole + 1}: truncated (the header declares ${h.rows} rows of ${D} float32, the file holds ${expected - size} bytes too few)`);
  }
  if (size > expected) throw new Malformed(`${npyName}: ${size - expected} unexpected bytes after the last row (the header declares ${h.rows} rows)`);
}

/** Opens a pair; `opened` is the file the user named, already opened (the other is opened here). */
export async function openSealedPair(
  npyPath: string,
  sidecarPath: string,
  io: Pick<Io, 'stdin' | 'cwd'>,
  opened: { sidecar: Source } | { npy: Source },
): Promise<SealedInput> {
  let npy: Source | undefined = 'npy' in opened ? opened.npy : undefined;
  let side: Source;
  try {
    side = 'sidecar' in opened ? opened.sidecar : await openPart(sidecarPath, io, `${npyPath}: a sealed .npy is read with its sidecar ${sidecarPath}, which cannot be read`);
  } catch (e) {
    await npy?.close();
    throw e;
  }
  try {
    const head = await side.peek();
    if (sealedKindOf(head) !== 'npy') {
      throw new Malformed(`${sidecarPath}: not the sidecar of a sealed .npy (its first line must be a "sealvec/sealed-npy" header), so ${npyPath} cannot be read`);
    }
    const lines = readLines(side);
    let first = await lines.next();
    while (!first.done && first.value.text.trim() === '') first = await lines.next();
    if (first.done) throw new Malformed(`${sidecarPath}: empty sidecar`);
    const hw = `${sidecarPath}:${first.value.line}`;
    const header = parseSidecarHeader(parseJson(first.value.text, hw), hw);
    npy ??= await openPart(npyPath, io, `${sidecarPath} is the sidecar of ${npyPath}, which cannot be read`);
    if (npy.size === undefined) throw new InputFileError(`${npyPath}: a sealed .npy must be a regular file`);
    const blocks = new BlockReader(npy.chunks());
    const arr = await readNpyHeader(npyPath, blocks);
    checkArray(arr, header, npyPath, sidecarPath, npy.size);
    const D = header.npy.storedDimension;
    const rows = header.npy.rows;
    const rowBytes = 4 * D;
    const abs = resolve(io.cwd, npyPath);
    const mixed = () =>
      new Malformed(
        `${npyPath} does not match its sidecar ${sidecarPath}: the SHA-256 of its rows differs from the one the sidecar records (a pair mixed by an interrupted write, or files from two different runs)`,
      );
    if ((await digestOf(abs, arr.dataOffset, arr.dataOffset + rows * rowBytes)) !== header.npy.sha256) throw mixed();

    const npySource = npy;
    async function* records(): AsyncGenerator<SealedEntry> {
      const hash = createHash('sha256');
      let row = 0;
      for await (const { text, line } of lines) {
        if (text.trim() === '') continue;
        const where = `${sidecarPath}:${line}`;
        if (row === rows) throw new Malformed(`${where}: the sidecar holds more records than the ${rows} rows of ${npyPath}`);
        const bytes = await blocks.take(rowBytes);
        if (bytes.length < rowBytes) throw new Malformed(`${npyPath}:row ${row + 1}: truncated (the file changed while being read?)`);
        hash.update(bytes);
        row++;
        const { point, payload } = parseSidecarLine(parseJson(text, where), where);
        let record: SealedRecord;
        try {
          record = decodeStoredPoint(payload, readFloat32(bytes, D, true), { storedDimension: D });
        } catch (e) {
          if (e instanceof Error) e.message = `${where} (row ${row} of ${npyPath}): ${e.message}`;
          throw e;
        }
        if (point !== pointIdOf(record.tenant, record.id)) throw new Malformed(`${where}: "point" is not the point id of record ${JSON.stringify(record.id)}`);
        yield { record, where };
      }
      if (row < rows) throw new Malformed(`${sidecarPath}: holds ${row} records, its header and ${npyPath} declare ${rows}`);
      if (!(await blocks.atEnd())) throw new Malformed(`${npyPath}: unexpected bytes after the last row (the file changed while being read?)`);
      if (hash.digest('base64url') !== header.npy.sha256) throw mixed();
    }
    return {
      format: 'npy',
      name: `${npyPath} + ${sidecarPath}`,
      header,
      records: records(),
      rows,
      size: side.size === undefined ? undefined : side.size + npySource.size!,
      get bytesRead() {
        return side.bytesRead + npySource.bytesRead;
      },
      async close() {
        await side.close();
        await npySource.close();
      },
    };
  } catch (e) {
    await side.close();
    await npy?.close();
    throw e;
  }
}
