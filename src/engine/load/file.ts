/** Reads a pipeline file's text, refusing what is not a small UTF-8 text file before parsing it. */
import { resolve } from 'node:path';
import { UnreadableFileError, formatBytes, readRegularFile } from '../../util/read-file.ts';
import { PipelineInputError, type Diagnostic } from '../errors.ts';

/** Pipeline files above this size are refused unread. */
export const DEFAULT_MAX_BYTES = 1024 * 1024;

const fail = (file: string, message: string, line = 0, col = 0): PipelineInputError =>
  new PipelineInputError([{ file, line, col, path: '', message } satisfies Diagnostic]);

/**
 * The text of `file` (shown in diagnostics as given) and its absolute path. Only a
 * regular file is read (a FIFO or a device is refused at once, never waited on), its size
 * checked on the open handle before reading, and the read stops one byte past the limit,
 * so neither a huge file nor one growing meanwhile is ever read whole.
 */
export async function readPipelineFile(file: string, maxBytes = DEFAULT_MAX_BYTES): Promise<{ text: string; path: string }> {
  const path = resolve(file);
  let bytes: Buffer;
  try {
    bytes = await readRegularFile(path, { maxBytes });
  } catch (err) {
    if (!(err instanceof UnreadableFileError)) throw err;
    throw fail(file, pipelineFileProblem(err, path, maxBytes));
  }
  return { text: decodeUtf8(bytes, file), path };
}

function pipelineFileProblem(err: UnreadableFileError, path: string, maxBytes: number): string {
  switch (err.reason) {
    case 'missing':
      return `file not found (looked for ${path})`;
    case 'denied':
      return 'cannot read the file: permission denied';
    case 'too-large':
      return `file ${err.why.replace(/; the limit is .*$/, '')}; pipeline files are limited to ${formatBytes(maxBytes)}`;
    case 'not-regular':
      return err.why.startsWith('is a folder') ? 'is a directory; give a pipeline .yaml file' : `${err.why}; give a pipeline .yaml file`;
    default:
      return `cannot read the file: ${err.why}`;
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
