/** Reads a pipeline file's text, refusing what is not a small UTF-8 text file before parsing it. */
import { open, type FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PipelineInputError, type Diagnostic } from '../errors.ts';

/** Pipeline files above this size are refused unread. */
export const DEFAULT_MAX_BYTES = 1024 * 1024;

const MiB = 1024 * 1024;

/** `1 MiB`, `64 KiB`, `812 bytes`; sizes are rounded up so a file just over a limit never prints as equal to it. */
export function formatSize(bytes: number): string {
  const up = (n: number): string => (Math.ceil(n * 10) / 10).toFixed(1).replace(/\.0$/, '');
  if (bytes >= MiB) return `${bytes % MiB === 0 ? bytes / MiB : up(bytes / MiB)} MiB`;
  if (bytes >= 1024) return `${bytes % 1024 === 0 ? bytes / 1024 : up(bytes / 1024)} KiB`;
  return `${bytes} byte${bytes === 1 ? '' : 's'}`;
}

const fail = (file: string, message: string, line = 0, col = 0): PipelineInputError =>
  new PipelineInputError([{ file, line, col, path: '', message } satisfies Diagnostic]);

/**
 * The text of `file` (shown in diagnostics as given) and its absolute path.
 * The size is checked on the open handle before reading, and the read itself stops one
 * byte past the limit, so neither a huge file nor one growing meanwhile is ever read whole.
 */
export async function readPipelineFile(file: string, maxBytes = DEFAULT_MAX_BYTES): Promise<{ text: string; path: string }> {
  const path = resolve(file);
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw fail(file, `file not found (looked for ${path})`);
    if (code === 'EISDIR') throw fail(file, 'is a directory; give a pipeline .yaml file');
    if (code === 'EACCES' || code === 'EPERM') throw fail(file, 'cannot read the file: permission denied');
    throw err;
  }
  try {
    const stats = await handle.stat();
    if (stats.isDirectory()) throw fail(file, 'is a directory; give a pipeline .yaml file');
    if (!stats.isFile()) throw fail(file, 'is not a regular file; give a pipeline .yaml file');
    if (stats.size > maxBytes) throw fail(file, `file is ${formatSize(stats.size)}; pipeline files are limited to ${formatSize(maxBytes)}`);
    const buffer = Buffer.alloc(Math.min(stats.size, maxBytes) + 1);
    let length = 0;
    for (let n = -1; n !== 0 && length < buffer.length; length += n) {
      ({ bytesRead: n } = await handle.read(buffer, length, buffer.length - length, length));
    }
    if (length > maxBytes) throw fail(file, `file is over ${formatSize(maxBytes)}; pipeline files are limited to ${formatSize(maxBytes)}`);
    return { text: decodeUtf8(buffer.subarray(0, length), file), path };
  } finally {
    await handle.close();
  }
}

/** Strict UTF-8 decoding; on failure, the line and column of the first bad byte. */
function decodeUtf8(bytes: Uint8Array, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
      throw fail(file, 'file is UTF-16; save it as UTF-8', 1, 1);
    }
    const offset = firstInvalidUtf8(bytes);
    const before = new TextDecoder('utf-8').decode(bytes.subarray(0, offset));
    const lines = before.split('\n');
    const byte = bytes[offset].toString(16).padStart(2, '0');
    throw fail(file, `file is not UTF-8 text (invalid byte 0x${byte}); save it as UTF-8`, lines.length, lines[lines.length - 1].length + 1);
  }
}

/** Offset of the first byte that makes `bytes` invalid UTF-8 (a sequence cut short by the end counts). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    // Sequence length from the lead byte, and the allowed range of the second byte
    // (which excludes overlong forms and surrogates), per RFC 3629.
    let n = 0;
    let lo = 0x80;
    let hi = 0xbf;
    if (b < 0x80) n = 1;
    else if (b >= 0xc2 && b <= 0xdf) n = 2;
    else if (b >= 0xe0 && b <= 0xef) [n, lo, hi] = [3, b === 0xe0 ? 0xa0 : 0x80, b === 0xed ? 0x9f : 0xbf];
    else if (b >= 0xf0 && b <= 0xf4) [n, lo, hi] = [4, b === 0xf0 ? 0x90 : 0x80, b === 0xf4 ? 0x8f : 0xbf];
    else return i;
    for (let k = 1; k < n; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n;
  }
  return i;
}
