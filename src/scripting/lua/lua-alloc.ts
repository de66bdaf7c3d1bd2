// The Lua allocator with the memory cap, as a tiny WebAssembly module of its own: Lua calls it
// for every allocation (40-60 times in a small script's call), and a JS allocator made each of
// those a WASM -> JS -> WASM round trip. Here Lua's module calls straight into this one, which
// calls the module's own realloc/free (imported as WASM functions: no JS in between). The byte
// count and the cap are mutable globals the host reads and sets.
//
// The module, in text form (hand-encoded below, all sizes < 128 so every LEB128 is one byte):
//   (import "m" "realloc" (func $realloc (param i32 i32) (result i32)))
//   (import "m" "free" (func $free (param i32)))
//   (global $used (export "used") (mut i32) (i32.const 0))
//   (global $max (export "max") (mut i32) (i32.const -1))        ;; compared unsigned: -1 = no cap
//   (func (export "alloc") (param $ud i32) (param $ptr i32) (param $osize i32) (param $nsize i32) (result i32)
//     (local $delta i32) (local $out i32)
//     nsize == 0: if ptr { used -= osize; free(ptr) } return 0
//     delta = nsize - (ptr ? osize : 0)          ;; with ptr NULL, osize is a type tag (Lua 5.4)
//     if delta > 0 && used + delta >u max: return 0   ;; Lua raises "not enough memory"
//     out = realloc(ptr, nsize); if out { used += delta } return out)

const I32 = 0x7f;

function section(id: number, body: number[]): number[] {
  if (body.length >= 128) throw new Error('allocator module: section too large for one-byte sizes');
  return [id, body.length, ...body];
}
const name = (s: string): number[] => [s.length, ...Buffer.from(s, 'latin1')];

const CODE = [
  ...[0x01, 0x02, I32], // two i32 locals: delta (4), out (5)
  ...[0x20, 0x03, 0x45, 0x04, 0x40], // if nsize == 0
  ...[0x20, 0x01, 0x04, 0x40], //   if ptr
  ...[0x23, 0x00, 0x20, 0x02, 0x6b, 0x24, 0x00], //     used -= osize
  ...[0x20, 0x01, 0x10, 0x01, 0x0b], //     free(ptr) end
  ...[0x41, 0x00, 0x0f, 0x0b], //   return 0 end
  ...[0x20, 0x03, 0x20, 0x01, 0x04, I32, 0x20, 0x02, 0x05, 0x41, 0x00, 0x0b, 0x6b, 0x21, 0x04], // delta = nsize - (ptr ? osize : 0)
  ...[0x20, 0x04, 0x41, 0x00, 0x4a, 0x04, 0x40], // if delta > 0
  ...[0x23, 0x00, 0x20, 0x04, 0x6a, 0x23, 0x01, 0x4b, 0x04, 0x40, 0x41, 0x00, 0x0f, 0x0b, 0x0b], //   if used + delta >u max: return 0
  ...[0x20, 0x01, 0x20, 0x03, 0x10, 0x00, 0x22, 0x05], // out = realloc(ptr, nsize)
  ...[0x04, 0x40, 0x23, 0x00, 0x20, 0x04, 0x6a, 0x24, 0x00, 0x0b], // if out: used += delta
  ...[0x20, 0x05, 0x0b], // return out
];

const BYTES = new Uint8Array([
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
  ...section(1, [0x03, 0x60, 0x02, I32, I32, 0x01, I32, 0x60, 0x01, I32, 0x00, 0x60, 0x04, I32, I32, I32, I32, 0x01, I32]),
  ...section(2, [0x02, ...name('m'), ...name('realloc'), 0x00, 0x00, ...name('m'), ...name('free'), 0x00, 0x01]),
  ...section(3, [0x01, 0x02]),
  ...section(6, [0x02, I32, 0x01, 0x41, 0x00, 0x0b, I32, 0x01, 0x41, 0x7f, 0x0b]),
  ...section(7, [0x03, ...name('alloc'), 0x00, 0x02, ...name('used'), 0x03, 0x00, ...name('max'), 0x03, 0x01]),
  ...section(10, [0x01, CODE.length, ...CODE]),
]);

let compiled: WebAssembly.Module | undefined;

export interface CappedAllocator {
  /** The lua_Alloc function, to put in the Lua module's function table. */
  readonly alloc: (ud: number, ptr: number, osize: number, nsize: number) => number;
  /** Bytes allocated now. */
  used(): number;
  /** The cap in bytes; undefined lifts it. */
  setCap(bytes: number | undefined): void;
}

/** One allocator (its own count and cap) over the Lua module's realloc and free. */
export function cappedAllocator(realloc: (ptr: number, size: number) => number, free: (ptr: number) => void): CappedAllocator {
  compiled ??= new WebAssembly.Module(BYTES);
  const instance = new WebAssembly.Instance(compiled, { m: { realloc, free } });
  const ex = instance.exports as { alloc: CappedAllocator['alloc']; used: WebAssembly.Global; max: WebAssembly.Global };
  return {
    alloc: ex.alloc,
    used: () => ex.used.value >>> 0,
    setCap: (bytes) => {
      ex.max.value = bytes === undefined ? -1 : Math.min(bytes, 0x7fffffff) | 0;
    },
  };
}
