/**
 * A palette PNG as a `data:` URL, the same bytes on every machine: the image data goes into
 * deflate's uncompressed ("stored") blocks, so no compression library — whose output may
 * change between versions — has a say in the bytes. A palette image takes one byte a pixel.
 */

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** The most data one stored deflate block can hold. */
const STORED_BLOCK = 0xffff;

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (const x of bytes) {
    a = (a + x) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

const u32 = (n: number): number[] => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  return Buffer.concat([Buffer.from(u32(data.length)), body, Buffer.from(u32(crc32(body)))]);
}

/** A zlib stream of `data` in stored blocks. */
function storedZlib(data: Uint8Array): Buffer {
  const parts: Uint8Array[] = [Buffer.from([0x78, 0x01])];
  for (let at = 0; at === 0 || at < data.length; at += STORED_BLOCK) {
    const block = data.subarray(at, at + STORED_BLOCK);
    const final = at + STORED_BLOCK >= data.length ? 1 : 0;
    const n = block.length;
    parts.push(Buffer.from([final, n & 0xff, n >>> 8, ~n & 0xff, (~n >>> 8) & 0xff]), block);
  }
  parts.push(Buffer.from(u32(adler32(data))));
  return Buffer.concat(parts);
}

/**
 * An 8-bit palette PNG of `width` × `height` pixels, rows top to bottom: `pixels[y * width + x]`
 * indexes `palette`, a list of `[r, g, b]` (at most 256).
 */
export function palettePngDataUrl(width: number, height: number, pixels: Uint8Array, palette: [number, number, number][]): string {
  if (pixels.length !== width * height) throw new RangeError(`a ${width}×${height} image needs ${width * height} pixels, got ${pixels.length}`);
  if (palette.length === 0 || palette.length > 256) throw new RangeError(`a palette holds 1 to 256 colours, got ${palette.length}`);
  const raw = new Uint8Array(height * (width + 1));
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * width, (y + 1) * width), y * (width + 1) + 1); // filter byte 0: none
  const header = new Uint8Array([...u32(width), ...u32(height), 8, 3, 0, 0, 0]); // 8 bits, palette, deflate, no filter, no interlace
  const png = [
    Buffer.from(SIGNATURE),
    chunk('IHDR', header),
    chunk('PLTE', new Uint8Array(palette.flat())),
    chunk('IDAT', storedZlib(raw)),
    chunk('IEND', new Uint8Array()),
  ];
  return `data:image/png;base64,${Buffer.concat(png).toString('base64')}`;
}
