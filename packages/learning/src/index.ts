export { TradeMemory } from './trade-memory.js';
export type { TradeMemoryOptions, TradeMemoryState } from './trade-memory.js';
