/** Reads back what png.ts writes, with Node's own zlib: for checking the images charts carry. */
import { inflateSync } from 'node:zlib';

export interface DecodedPng {
  width: number;
  height: number;
  palette: [number, number, number][];
  /** Palette indices, rows top to bottom. */
  pixels: number[];
}

/** Decodes an 8-bit palette PNG given as a `data:image/png;base64,` URL; checks every chunk's CRC on the way (zlib checks the Adler-32). */
export function decodePalettePng(url: string): DecodedPng {
  const bytes = Buffer.from(url.replace(/^data:image\/png;base64,/, ''), 'base64');
  const chunks = new Map<string, Buffer>();
  for (let at = 8; at < bytes.length; ) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    const body = bytes.subarray(at + 4, at + 8 + length);
    if (crc32(body) !== bytes.readUInt32BE(at + 8 + length)) throw new Error(`bad CRC in chunk ${type}`);
    chunks.set(type, body.subarray(4));
    at += 12 + length;
  }
  const header = chunks.get('IHDR')!;
  const [width, height] = [header.readUInt32BE(0), header.readUInt32BE(4)];
  const plte = chunks.get('PLTE')!;
  const palette = Array.from({ length: plte.length / 3 }, (_, i) => [plte[3 * i], plte[3 * i + 1], plte[3 * i + 2]] as [number, number, number]);
  const raw = inflateSync(chunks.get('IDAT')!);
  const pixels: number[] = [];
  for (let y = 0; y < height; y++) {
    if (raw[y * (width + 1)] !== 0) throw new Error(`row ${y} uses a filter`);
    pixels.push(...raw.subarray(y * (width + 1) + 1, (y + 1) * (width + 1)));
  }
  return { width, height, palette, pixels };
}

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}
