// @kbot/core/testing: contract suites, fakes and builders, so every implementation of a core
// interface (ours and users') can prove it behaves. The suites call vitest (an optional peer).

// contract suites
export { runStoreContract } from './store-contract.js';
export type { StoreContractOptions } from './store-contract.js';
export { runClockContract } from './clock-contract.js';
export type { ClockContractOptions } from './clock-contract.js';
export { runRiskPolicyContract } from './risk-policy-contract.js';
export type { RiskPolicyCase } from './risk-policy-contract.js';
export { runLearnerContract } from './learner-contract.js';
export type { LearnerContractOptions } from './learner-contract.js';
export { runExchangeContract } from './exchange-contract.js';
export type { ExchangeScenario, ExchangeContractContext } from './exchange-contract.js';
export { runStrategyContract } from './strategy-contract.js';
export type { StrategyContractOptions } from './strategy-contract.js';

// strategy harness
export { createStrategyHarness } from './strategy-harness.js';
export type { StrategyHarness, StrategyHarnessOptions, HarnessIntent, HarnessVenueOptions } from './strategy-harness.js';

// fakes
export { FakeExecutionClient, FAKE_EXECUTION_ERRORS } from './fake-execution-client.js';
export type { FakeExecutionClientOptions, FakeFillOptions } from './fake-execution-client.js';
export { FakeMarketDataClient, type FakeMarketDataClientOptions } from './fake-market-data-client.js';
export { FakeInstrumentProvider } from './fake-instrument-provider.js';
export { createFakeExchange } from './fake-exchange.js';
export type { FakeExchange, FakeExchangeOptions } from './fake-exchange.js';
export { createSimulatedExchange } from './simulated-exchange.js';
export type { SimulatedExchange, SimulatedExchangeOptions } from './simulated-exchange.js';
export { FakeLearner } from './fake-learner.js';
export type { FakeLearnerOptions, FakeLearnerState } from './fake-learner.js';
export { FakePortfolioView } from './fake-portfolio-view.js';
export type { FakePortfolioViewInput } from './fake-portfolio-view.js';
export { RecordingSink } from './recording-sink.js';
export { RecordingLogger } from './recording-logger.js';
export type { RecordedLogLine } from './recording-logger.js';
export type { ExecutionReport, ExecutionReportKind } from './recording-sink.js';

// builders
export { btcUsd, krakenInstrument } from './instrument-fixtures.js';
export { TEST_START_TIME, bar, bars, trade, quote, book } from './market-data-builders.js';
export type { BarInput, BarsOptions, TradeInput, QuoteInput, BookInput } from './market-data-builders.js';
export { marketDataKind } from './market-data-item.js';
export type { MarketDataItem } from './market-data-item.js';
export { submitOrder, order, position } from './order-builders.js';
export type { SubmitOrderInput, OrderInput, PositionInput } from './order-builders.js';
export { tradeOutcome } from './trade-outcome-builder.js';
export type { TradeOutcomeInput } from './trade-outcome-builder.js';
export { sampleJournal } from './journal-builder.js';
export type { SampleJournalOptions } from './journal-builder.js';
export { riskView } from './risk-view-builder.js';
export type { RiskViewInput } from './risk-view-builder.js';
