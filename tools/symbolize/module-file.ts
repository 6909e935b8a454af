/**
 * Reads a module file as the tree holds it: `.ko`, or compressed as distributions ship them
 * (`.ko.gz`, `.ko.xz`: Debian, Ubuntu; `.ko.zst`: Fedora, Arch). Decompression is capped: a
 * hostile module must not expand to gigabytes, so anything beyond `maxBytes` is refused with
 * one line, before the whole output exists.
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';
import { createRequire } from 'node:module';
import { InputError } from '../errors.js';
import { largestZstdFrameRequest } from './zstd-frames.js';

// xz-decompress is a CommonJS bundle whose exports Node's ESM loader cannot name statically, and
// whose `__esModule` flag makes a default import differ between loaders: require() it.
const { XzReadableStream } = createRequire(import.meta.url)('xz-decompress') as typeof import('xz-decompress');

/** No real module comes close (the largest in-tree ones are some 100 MiB with debug info). */
const MAX_MODULE_BYTES = 1 << 30;

export type Compression = 'gz' | 'xz' | 'zst' | null;

function compressionOf(path: string): Compression {
  const m = /\.ko\.(gz|xz|zst)$/.exec(path);
  return m ? (m[1] as Compression) : null;
}

function tooLarge(path: string, maxBytes: number): InputError {
  return new InputError(path, null, `decompresses to more than ${maxBytes} bytes; refused (a real module is far smaller)`);
}

/** Joins chunks once their total is known, so the output is allocated once. */
function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function gunzip(path: string, data: Uint8Array, maxBytes: number): Uint8Array {
  try {
    return new Uint8Array(gunzipSync(data, { maxOutputLength: maxBytes }));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(path, maxBytes);
    throw new InputError(path, null, `cannot gunzip: ${(e as Error).message}`);
  }
}

function unzstd(path: string, data: Uint8Array, maxBytes: number): Uint8Array {
  const request = largestZstdFrameRequest(data);
  if (typeof request === 'string') throw new InputError(path, null, `cannot unzstd: ${request}`);
  if (request > maxBytes) throw tooLarge(path, maxBytes);
  const chunks: Uint8Array[] = [];
  let total = 0;
  let done = false;
  const d = new ZstdDecompress((chunk, final) => {
    total += chunk.length;
    if (total > maxBytes) throw tooLarge(path, maxBytes);
    // fzstd may reuse its window buffer for the next chunk: keep a copy.
    chunks.push(chunk.slice());
    if (final) done = true;
  });
  try {
    d.push(data, true);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(path, null, `cannot unzstd: ${(e as Error).message}`);
  }
  if (!done) throw new InputError(path, null, 'cannot unzstd: truncated stream');
  return concat(chunks, total);
}

async function unxz(path: string, data: Uint8Array, maxBytes: number): Promise<Uint8Array> {
  // readModuleFile read `data` into an ArrayBuffer of its own (never shared memory).
  const source = new Blob([data as Uint8Array<ArrayBuffer>]).stream() as ReadableStream<Uint8Array>;
  const reader = new XzReadableStream(source).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      total += r.value.length;
      if (total > maxBytes) {
        await reader.cancel();
        throw tooLarge(path, maxBytes);
      }
      chunks.push(r.value.slice());
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    // The decoder reports a truncated stream as a read past the input's end (a TypeError).
    throw new InputError(path, null, `cannot unxz: ${e instanceof TypeError ? 'truncated or malformed stream' : (e as Error).message}`);
  }
  return concat(chunks, total);
}

/** The module's ELF bytes. Unreadable or undecompressable files are InputErrors naming the path. */
export async function readModuleFile(path: string, maxBytes = MAX_MODULE_BYTES): Promise<Uint8Array> {
  let data: Uint8Array;
  try {
    data = new Uint8Array(await readFile(path));
  } catch (e) {
    throw new InputError(path, null, `cannot read: ${(e as Error).message}`);
  }
  switch (compressionOf(path)) {
    case 'gz':
      return gunzip(path, data, maxBytes);
    case 'zst':
      return unzstd(path, data, maxBytes);
    case 'xz':
      return unxz(path, data, maxBytes);
    default:
      if (data.length > maxBytes) throw new InputError(path, null, `is larger than ${maxBytes} bytes; refused`);
      return data;
  }
}
