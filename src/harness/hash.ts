// A fast, non-cryptographic 64-bit content hash for cache keys and data checksums, in plain TypeScript so it
// runs in the browser and in Node alike. Two independent 32-bit lanes of MurmurHash3's word mixing over 32-bit
// little-endian words; every update is framed by its type and byte length, so different sequences of updates
// cannot collide by re-splitting the same bytes. Collisions are as unlikely as for any 64-bit hash (~2^-32 at
// 2^16 entries), which is plenty for a cache; it is not meant to resist deliberate collisions.

const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r));

/** Final avalanche of MurmurHash3 (fmix32). */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const encoder = new TextEncoder();

export class Hash64 {
  private h1 = 0x9e3779b9 | 0;
  private h2 = 0x7f4a7c15 | 0;
  private words = 0;

  private word(w: number): void {
    let k1 = Math.imul(w, 0xcc9e2d51);
    k1 = Math.imul(rotl(k1, 15), 0x1b873593);
    this.h1 = (Math.imul(rotl(this.h1 ^ k1, 13), 5) + 0xe6546b64) | 0;
    let k2 = Math.imul(w, 0x239b961b);
    k2 = Math.imul(rotl(k2, 17), 0xab0e9789);
    this.h2 = (Math.imul(rotl(this.h2 ^ k2, 11), 5) + 0x38b34ae5) | 0;
    this.words++;
  }

  /** Hashes raw bytes (any typed array or ArrayBuffer is taken as its bytes, little-endian on every platform we run). */
  bytes(data: ArrayBufferView | ArrayBuffer): this {
    const u8 = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const n = u8.byteLength;
    this.word(0x62797465); // 'byte' tag
    this.word(n);
    const whole = n >>> 2;
    if ((u8.byteOffset & 3) === 0) {
      const u32 = new Uint32Array(u8.buffer, u8.byteOffset, whole);
      for (let i = 0; i < whole; i++) this.word(u32[i]);
    } else {
      for (let i = 0; i < whole; i++) {
        const o = i * 4;
        this.word(u8[o] | (u8[o + 1] << 8) | (u8[o + 2] << 16) | (u8[o + 3] << 24));
      }
    }
    let tail = 0;
    for (let i = whole * 4; i < n; i++) tail |= u8[i] << ((i & 3) * 8);
    if (n & 3) this.word(tail);
    return this;
  }

  string(s: string): this {
    this.word(0x73747269); // 'stri'
    return this.bytes(encoder.encode(s));
  }

  /** Hashes numbers exactly (as float64 bits), so 1 and 1.0000000001 differ. */
  numbers(...values: readonly number[]): this {
    this.word(0x6e756d62); // 'numb'
    return this.bytes(new Float64Array(values));
  }

  /** 16 lowercase hex digits. Does not change the state, so more can be added after. */
  hex(): string {
    let a = this.h1 ^ this.words;
    let b = this.h2 ^ this.words;
    a = (a + b) | 0;
    b = (b + a) | 0;
    return fmix(a).toString(16).padStart(8, '0') + fmix(b).toString(16).padStart(8, '0');
  }
}
