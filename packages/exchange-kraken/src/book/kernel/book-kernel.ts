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
  messageAddress(): number;
  messageCapacity(): number;
  setSymbol(asks: number, length: number): void;
  applyCompactUpdate(length: number, asks: number, bids: number, pricePrecision: number, quantityPrecision: number, depth: number): number;
  lastUpdateTime(): number;
  lastUpdateChecksum(): number;
}

/** What BookKernel.applyCompactUpdate did: applied and verified (or without a checksum). */
export const COMPACT_UPDATE_APPLIED = 0;
/** Not Kraken's compact update for that book, or a number not exact at its precision: nothing changed. */
export const COMPACT_UPDATE_DECLINED = 1;
/** Applied, and the book's checksum is not the message's. */
export const COMPACT_UPDATE_MISMATCH = 2;

/** The part of the WebAssembly API used here (the project's TypeScript libs leave it out with the DOM's). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
}
interface KernelMemory {
  readonly buffer: ArrayBuffer;
}

let kernel: BookKernel | undefined;
let kernelMemory: KernelMemory | undefined;
let messageView = new Uint8Array(0);

/**
 * The process's one kernel instance, compiled on first use (about 7 KB; synchronously, as a book
 * is made in a constructor). Its memory holds every book's levels; JavaScript reads none of it
 * (see kernelMessageArea for the one area it writes).
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
  kernelMemory = memory;
  kernel = instance.exports as unknown as BookKernel;
  return kernel;
}

/**
 * The kernel's message area (where a message is copied for applyCompactUpdate, and a symbol for
 * setSymbol). The view is made again after the kernel's memory grows, which detaches the old one
 * (it then reads as empty): the only view of the kernel's memory JavaScript keeps.
 */
export function kernelMessageArea(): Uint8Array {
  if (messageView.length === 0) {
    const exports = bookKernel();
    // The address first: making the area may grow the memory, which detaches an earlier buffer.
    const address = exports.messageAddress();
    messageView = new Uint8Array(kernelMemory!.buffer, address, exports.messageCapacity());
  }
  return messageView;
}

/** An AssemblyScript string (UTF-16, its byte length in the four bytes before it) from the kernel's memory. */
function readString(memory: KernelMemory | undefined, pointer: number): string {
  if (memory === undefined || pointer < 4 || pointer >= memory.buffer.byteLength) return '(no message)';
  const bytes = new DataView(memory.buffer).getUint32(pointer - 4, true);
  return Buffer.from(memory.buffer, pointer, Math.min(bytes, memory.buffer.byteLength - pointer)).toString('utf16le');
}
