import { runExchangeContract } from '@kbot/core/testing';
import { closingWithSimulator, simulatorExchange, startScriptedSimulator } from './kraken-test-harness.js';
import type { KrakenSimulator } from './simulator/kraken-simulator.js';

// The real Kraken clients (REST, both WebSockets, executions channel) against a fresh simulator
// per check. The market sits at 40,000; a limit buy at 39,600 rests until the bar down to
// 39,400 (the 13th bar), which `fill` steps to.
const simulators = new WeakMap<object, KrakenSimulator>();

runExchangeContract(
  'Kraken against the simulator',
  async () => {
    const sim = await startScriptedSimulator();
    const exchange = closingWithSimulator(simulatorExchange(sim), sim);
    simulators.set(exchange, sim);
    return exchange;
  },
  {
    instrumentId: 'BTC/USD',
    quantity: '0.001',
    price: '39600',
    timeoutMs: 5_000,
    // Reports arrive on two paths (replies and the executions channel): listen for duplicates.
    settleMs: 150,
    fill: async ({ exchange }) => {
      const sim = simulators.get(exchange)!;
      for (let step = 0; step < 6; step++) sim.step();
    },
  },
);
