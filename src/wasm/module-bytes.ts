/**
 * The few pieces of the WebAssembly binary format that Polett's hand-assembled SIMD kernels need
 * (Learn's matrix product, Knowledge's int8 dot products): LEB128 numbers, and a module of one
 * exported function over an imported memory. The kernels write their own function bodies.
 */

/** The opcodes Polett's kernels use, from the WebAssembly core specification (and the SIMD prefix). */
export const OP = {
  block: 0x02,
  loop: 0x03,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i64Load: 0x29,
  i32Store: 0x36,
  f32Store: 0x38,
  i32Const: 0x41,
  i64Const: 0x42,
  f32Const: 0x43,
  i32LtU: 0x49,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32Mul: 0x6c,
  i32Shl: 0x74,
  i64Popcnt: 0x7b,
  i64Add: 0x7c,
  i64Xor: 0x85,
  f32Add: 0x92,
  i32WrapI64: 0xa7,
  simdPrefix: 0xfd,
  emptyBlockType: 0x40,
} as const;

/** Value types, as local declarations write them. */
export const VALUE_TYPE = { i32: 0x7f, i64: 0x7e, v128: 0x7b } as const;

/** `local.get index` and `local.set index`. */
export const localGet = (index: number): number[] => [OP.localGet, index];
export const localSet = (index: number): number[] => [OP.localSet, index];

/** A SIMD instruction: the 0xfd prefix and its LEB128 sub-opcode. */
export const simdOp = (operation: number): number[] => [OP.simdPrefix, ...unsignedLeb128(operation)];

export function unsignedLeb128(value: number): number[] {
  const bytes: number[] = [];
  let remaining = value >>> 0;
  do {
    let byte = remaining & 0x7f;
    remaining >>>= 7;
    if (remaining !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (remaining !== 0);
  return bytes;
}

export function signedLeb128(value: number): number[] {
  const bytes: number[] = [];
  let remaining = value | 0;
  for (;;) {
    const byte = remaining & 0x7f;
    remaining >>= 7;
    const done = (remaining === 0 && (byte & 0x40) === 0) || (remaining === -1 && (byte & 0x40) !== 0);
    bytes.push(done ? byte : byte | 0x80);
    if (done) return bytes;
  }
}

function section(id: number, content: number[]): number[] {
  return [id, ...unsignedLeb128(content.length), ...content];
}

function name(text: string): number[] {
  const bytes = Array.from(Buffer.from(text, 'utf8'));
  return [...unsignedLeb128(bytes.length), ...bytes];
}

const I32 = 0x7f;

/**
 * A module that imports `env.memory` and exports one function `exportName` taking
 * `i32Parameters` i32 arguments and returning nothing; `body` is its encoded body (locals and code).
 */
export function oneFunctionModule(
  exportName: string,
  i32Parameters: number,
  body: number[],
): Uint8Array<ArrayBuffer> {
  // prettier-ignore
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, // "\0asm"
    0x01, 0x00, 0x00, 0x00, // version 1
    ...section(1, [1, 0x60, i32Parameters, ...Array<number>(i32Parameters).fill(I32), 0]), // one type: (i32 × n) → ()
    ...section(2, [1, ...name('env'), ...name('memory'), 0x02, 0x00, 0x00]), // import a memory
    ...section(3, [1, 0]), // one function of type 0
    ...section(7, [1, ...name(exportName), 0x00, 0]), // export it
    ...section(10, [1, ...body]), // its code
  ];
  return new Uint8Array(bytes);
}

/**
 * The kernel of a one-function module over a memory: the module compiled once, on first use, and
 * instantiated for each memory; undefined where it does not validate (no SIMD in this runtime).
 */
export function kernelFactory<Kernel>(
  moduleBytes: () => Uint8Array<ArrayBuffer>,
  exportName: string,
): (memory: WebAssembly.Memory) => Kernel | undefined {
  let compiled: WebAssembly.Module | null | undefined;
  return (memory) => {
    if (compiled === undefined) {
      const bytes = moduleBytes();
      compiled = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    }
    if (!compiled) return undefined;
    const instance = new WebAssembly.Instance(compiled, { env: { memory } });
    return instance.exports[exportName] as Kernel;
  };
}
