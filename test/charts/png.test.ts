import { describe, expect, it } from 'vitest';
import { palettePngDataUrl } from '../../src/charts/png.ts';
import { decodePalettePng } from '../helpers/png-decode.ts';

describe('palettePngDataUrl', () => {
  it('writes a PNG that zlib and a CRC check read back to the same pixels and palette', () => {
    const pixels = Uint8Array.from([0, 1, 2, 2, 1, 0]);
    const palette: [number, number, number][] = [[255, 0, 0], [0, 255, 0], [0, 0, 255]];
    expect(decodePalettePng(palettePngDataUrl(3, 2, pixels, palette))).toEqual({ width: 3, height: 2, palette, pixels: [...pixels] });
  });

  it('splits image data larger than one stored deflate block (64 KiB) across several', () => {
    const [width, height] = [400, 400];
    const pixels = Uint8Array.from({ length: width * height }, (_, i) => (i * 7) % 256);
    const palette = Array.from({ length: 256 }, (_, k) => [k, 255 - k, 0] as [number, number, number]);
    const decoded = decodePalettePng(palettePngDataUrl(width, height, pixels, palette));
    expect(decoded.pixels).toEqual([...pixels]);
  });

  it('refuses a pixel count that does not match the size, and an empty or oversized palette', () => {
    expect(() => palettePngDataUrl(2, 2, new Uint8Array(3), [[0, 0, 0]])).toThrow(/4 pixels/);
    expect(() => palettePngDataUrl(1, 1, new Uint8Array(1), [])).toThrow(/palette/);
    expect(() => palettePngDataUrl(1, 1, new Uint8Array(1), Array.from({ length: 257 }, () => [0, 0, 0] as [number, number, number]))).toThrow(/palette/);
  });
});
