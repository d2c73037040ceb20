import { zlibSync } from "fflate";

/**
 * The pass's icon (Apple Wallet shows it on the lock screen and in notifications, and
 * refuses a pass without one): a plain square in the ticket page's dark colour, drawn here
 * as a PNG so the repository ships no binary and nothing is fetched.
 */

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** A PNG chunk: length, type, data, and the CRC of type and data. */
function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** A `size`×`size` PNG of one colour (8-bit RGB). */
export function solidPng(size: number, rgb: readonly [number, number, number]): Uint8Array {
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, size);
  view.setUint32(4, size);
  header.set([8, 2, 0, 0, 0], 8); // bit depth 8, colour type RGB, default methods, no interlace
  const rowLength = 1 + size * 3; // each row: filter type 0 (none), then its pixels
  const pixels = new Uint8Array(rowLength * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) pixels.set(rgb, y * rowLength + 1 + x * 3);
  }
  const parts = [
    Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", zlibSync(pixels)),
    chunk("IEND", new Uint8Array(0)),
  ];
  const png = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    png.set(part, offset);
    offset += part.length;
  }
  return png;
}

const INK: readonly [number, number, number] = [24, 24, 27];

/** icon.png (29 points) and its 2x and 3x sizes, drawn once per isolate. */
let icons: Record<string, Uint8Array> | undefined;
export function passIcons(): Record<string, Uint8Array> {
  icons ??= {
    "icon.png": solidPng(29, INK),
    "icon@2x.png": solidPng(58, INK),
    "icon@3x.png": solidPng(87, INK),
  };
  return icons;
}
