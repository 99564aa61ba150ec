import { BOOK_KERNEL_WASM } from './book-kernel-wasm.js';

/**
 * The book kernel's exports (assembly/book-kernel.ts): a side is a handle (an address in the
 * kernel's memory); prices and quantities cross as two-part scaled integers or as one number
 * exact below 2^53, checksum registers as signed 32-bit integers.
 */
export interface BookKernel {
  createSide(sign: 1 | -1, capacity: number, runStart: number): number;
  freeSide(side: number): void;
  clear(side: number): void;
  length(side: number): number;
  dirtyFrom(side: number): number;
  markClean(side: number): void;
  priceAt(side: number, index: number): number;
  quantityAt(side: number, index: number): number;
  set(side: number, priceHigh: number, priceLow: number, quantityHigh: number, quantityLow: number): void;
  truncate(side: number, depth: number): void;
  updateTopRun(side: number): void;
  topRegister(side: number): number;
  topDigits(side: number): number;
  levelContribution(side: number, index: number): number;
  levelDigitCount(side: number, index: number): number;
  checksum(asks: number, bids: number): number;
  truncateAndChecksum(asks: number, bids: number, depth: number): number;
}

/** The part of the WebAssembly API used here (the project's TypeScript libs leave it out with the DOM's). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
}
interface KernelMemory {
  readonly buffer: ArrayBuffer;
}

let kernel: BookKernel | undefined;

/**
 * The process's one kernel instance, compiled on first use (about 7 KB; synchronously, as a book
 * is made in a constructor). Its memory holds every book's levels; JavaScript keeps no view of it.
 */
export function bookKernel(): BookKernel {
  if (kernel !== undefined) return kernel;
  const { Module, Instance } = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
  let memory: KernelMemory | undefined;
  const abort = (message: number, file: number, line: number, column: number): never => {
    throw new Error(`book kernel: ${readString(memory, message)} (${readString(memory, file)}:${line}:${column})`);
  };
  const instance = new Instance(new Module(Buffer.from(BOOK_KERNEL_WASM, 'base64')), { env: { abort } });
  memory = instance.exports.memory as KernelMemory;
  kernel = instance.exports as unknown as BookKernel;
  return kernel;
}

/** An AssemblyScript string (UTF-16, its byte length in the four bytes before it) from the kernel's memory. */
function readString(memory: KernelMemory | undefined, pointer: number): string {
  if (memory === undefined || pointer < 4 || pointer >= memory.buffer.byteLength) return '(no message)';
  const bytes = new DataView(memory.buffer).getUint32(pointer - 4, true);
  return Buffer.from(memory.buffer, pointer, Math.min(bytes, memory.buffer.byteLength - pointer)).toString('utf16le');
}
