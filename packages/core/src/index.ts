// reflect-metadata must load before tsyringe (tsyringe throws without the polyfill).
import 'reflect-metadata';

// money and model
export {
  Decimal, ZERO, ONE, toDecimal, isDecimal, decimalString, minDecimal, maxDecimal,
  compareDecimals, decimalLessThan, decimalAtMost, decimalGreaterThan, decimalAtLeast, decimalEquals, decimalToNumber,
} from './model/decimal.js';
export { decimalPlus, decimalMinus, decimalTimes, decimalToPlaces, decimalDividedBy, decimalFromNumber, decimalFromText, decimalProductBelow } from './model/decimal-arithmetic.js';
export type { DecimalLike } from './model/decimal.js';
export { instrumentId, splitInstrumentId, clientOrderId, venueOrderId, tradeId, strategyId } from './model/ids.js';
export type { Brand, InstrumentId, ClientOrderId, VenueOrderId, TradeId, StrategyId } from './model/ids.js';
export { MINUTE_MS, HOUR_MS, DAY_MS, parseInterval, formatInterval, isoTime, parseTime } from './model/time.js';
export type { EpochMs, IntervalText } from './model/time.js';
export { defineInstrument, roundPrice, roundQuantity, affordableQuantity, certainlyBelowMinimums, isMultipleOf, checkOrderRules, explainOrderRuleViolation, incrementsOf } from './model/instrument.js';
export type { Instrument, InstrumentInput, InstrumentStatus, InstrumentIncrements, RoundingDirection, OrderRuleViolation } from './model/instrument.js';
export { barCloseTime } from './model/market-data.js';
export type { Bar, Trade, Quote, BookLevel, BookOrder, BookView, BookHealth, AggressorSide, MarketDataKind, Subscription } from './model/market-data.js';
export { remainingQuantity, isOrderOpen, isOrderTerminal } from './model/order.js';
export type { OrderSide, OrderType, TimeInForce, OrderIntent, SubmitOrder, CancelOrder, OrderStatus, Order } from './model/order.js';
export { ORDER_STATUSES, ORDER_TRANSITION_EVENTS, ORDER_TRANSITIONS, canTransition, nextOrderStatus } from './model/order-fsm.js';
export type { OrderTransitionEvent } from './model/order-fsm.js';
export type { Fill, Liquidity } from './model/fill.js';
export type { Position, Balance, RoundTrip } from './model/position.js';
export { freezeEvent } from './model/events.js';
export type {
  KbotEvent, KbotEventType, KbotEventOf, JournaledEvent, MarketDataEvent, OrderEvent, PositionEvent, DenialCode, TradingState,
  BarClosed, TradeReceived, QuoteReceived, BookHealthReported, OrderSubmitted, OrderDenied, OrderAccepted, OrderRejected, OrderFilled,
  OrderCancelRequested, OrderCancelRejected, OrderCanceled, OrderExpired, PositionOpened, PositionChanged, PositionClosed,
  TradingStateChanged, StrategyStateChanged, StrategyStateValue, EngineStarted, EngineStopped,
} from './model/events.js';

// errors
export { KbotError, isKbotError, ConfigError, DataError, ExchangeError, InvariantError, formatConfigIssue } from './errors/errors.js';
export type { ConfigIssue, ExchangeErrorKind } from './errors/errors.js';

// bus, clock, log
export { EventBus, Channel } from './bus/event-bus.js';
export type { ListenerCounter } from './bus/event-bus.js';
export type { EventHandler, Unsubscribe } from './bus/event-bus.js';
export { LiveClock, TestClock } from './clock/clock.js';
export type { Clock } from './clock/clock.js';
export { silentLogger, createConsoleLogger } from './log/logger.js';
export type { Logger, LogLevel } from './log/logger.js';
export { createFileLogger } from './log/file-logger.js';
export type { FileLogger, CreateFileLoggerOptions, LogRotation, LogSink } from './log/file-logger.js';
export { REDACTED, SECRET_FIELD_NAMES, secretRedactPaths, scrubSecretValues } from './log/redaction.js';

// interfaces
export { BaseStrategy, strategySpec, isStrategySpec, defaultStrategyId } from './strategy/strategy.js';
export type { Strategy, StrategyClass, StrategySpec, StrategyContext, MarketView, PortfolioView, OrderPort, LearnerView, StrategyStateView } from './strategy/strategy.js';
export type { Learner, TradeOutcome, Advice, AdviceQuery } from './learning/learner.js';
export { isMarketDrivenVenue } from './exchange/exchange.js';
export type {
  Exchange, InstrumentProvider, MarketDataClient, MarketDataSink, ExecutionClient, ExecutionReportSink, MarketDrivenVenue, OrderEntryBudget,
  VenueFill, VenueOrderState, ReconcileReport, UntrackedOrder,
} from './exchange/exchange.js';
export { ALLOW, allow, deny } from './risk/risk-policy.js';
export type { RiskPolicy, RiskView, RiskVerdict } from './risk/risk-policy.js';
export { RiskEngine, reducesExposure, type RiskEngineState, type RiskPolicyState } from './risk/risk-engine.js';
export type { RiskDecision, StateRequestListener } from './risk/risk-engine.js';
export { requestState, mostSevereState, stateSeverity, isBreakerAction } from './risk/breakers.js';
export type { StateRequest, BreakerAction } from './risk/breakers.js';
export { maxPosition } from './risk/policies/max-position.js';
export type { MaxPositionOptions } from './risk/policies/max-position.js';
export { maxOpenOrders } from './risk/policies/max-open-orders.js';
export { maxExposure } from './risk/policies/max-exposure.js';
export type { MaxExposureOptions } from './risk/policies/max-exposure.js';
export { orderRate } from './risk/policies/order-rate.js';
export type { OrderRateOptions, TradingBudget } from './risk/policies/order-rate.js';
export { bookHealth } from './risk/policies/book-health.js';
export type { BookHealthOptions } from './risk/policies/book-health.js';
export { dailyLoss } from './risk/policies/daily-loss.js';
export type { DailyLossOptions } from './risk/policies/daily-loss.js';
export { maxDrawdown } from './risk/policies/max-drawdown.js';
export type { MaxDrawdownOptions } from './risk/policies/max-drawdown.js';
export { minBalance } from './risk/policies/min-balance.js';
export type { MinBalanceOptions } from './risk/policies/min-balance.js';
export { strategyBudget } from './risk/policies/strategy-budget.js';
export type { StrategyBudgetOptions } from './risk/policies/strategy-budget.js';
export { priceBand } from './risk/policies/price-band.js';
export type { PriceBandOptions } from './risk/policies/price-band.js';
export { fatFinger } from './risk/policies/fat-finger.js';
export type { FatFingerOptions } from './risk/policies/fat-finger.js';
export { riskPoliciesFromConfig } from './risk/policies/from-config.js';
export { DiscardingStore, InMemoryStore } from './persistence/store.js';
export type { Store, EngineSnapshot, Recovered } from './persistence/store.js';

// engine
export { Engine, SIMULATED_VENUE_RESTART_REASON } from './engine/engine.js';
export type { BalanceComparison, BalanceDifference, EngineMode, EngineOptions, EngineStrategy } from './engine/engine.js';
export { recoverEngineState, hasRecoverableState, canAdoptOrders, canPrimeOrderEntry, recentOrderEntry, ORDER_ENTRY_PRIMING_WINDOW_MS } from './engine/recovery.js';
export type { OrderAdoptingClient, OrderEntryActivity, OrderEntryPrimingClient, RecoverEngineStateOptions, RecoveredEngineState, RecoverySummary } from './engine/recovery.js';
export { ENGINE_STATE_FORMAT, orderToJson, orderFromJson, parseEngineState, parseRiskEngineState } from './engine/engine-state.js';
export type { EngineStateJson, OrderStateJson, ParsedEngineState, RestoredOrder } from './engine/engine-state.js';
export { OrderManager } from './engine/order-manager.js';
export type { FillOutcome } from './engine/order-manager.js';
export { MarketCache } from './engine/market-cache.js';
export { Portfolio } from './portfolio/portfolio.js';
export type { PortfolioState, PositionChange, PositionStateJson } from './portfolio/portfolio.js';

// backtest
export type { BacktestResult, EquityPoint, DataSourceSummary, StrategySummary } from './backtest/result.js';
export type { BacktestMetrics } from './backtest/metrics.js';
export { EquityTracker, MS_PER_YEAR } from './backtest/equity-tracker.js';
export type { EquityTrackerOptions, EquityStatistics } from './backtest/equity-tracker.js';
export { computeMetrics, fewReturnsNote, FEW_RETURNS } from './backtest/metrics.js';
export type { MetricsInput } from './backtest/metrics.js';
export { runBacktest, backtestInstruments, dataCoverageIssues, missingInstrumentRules, TICK_EQUITY_SAMPLE_MS } from './backtest/run-backtest.js';
export type { BacktestData, RunBacktestOptions, ScheduledOperatorAction } from './backtest/run-backtest.js';
export { backtestDataProblems, openBacktestData, parseTimeOption } from './backtest/backtest-data.js';
export type { OpenBacktestDataOptions, OpenedBacktestData } from './backtest/backtest-data.js';
export { warmUpBarsWanted } from './backtest/warm-up-wanted.js';
export { krakenSpotInstruments } from './backtest/instruments.js';
export { StaticInstrumentProvider } from './exchange/static-instrument-provider.js';

// market data files
export { openBarFile, BarFileSource, generateBars, GeneratedBarSource, mergeBarStreams, openTradeFile, detectDataFormat, DATA_FORMATS, inferFromFileName, krakenAssetName, krakenPairToInstrumentId, readLines } from './data/index.js';
export type { BarSource, BarFileOptions, GenerateBarsOptions, TradeFileOptions, TradeFileSource, DataFormat, FileNameHints, NumberedLine } from './data/index.js';
export { BarResampler, ResampledBarSource, resampleBars, resampleInterval } from './data/resample.js';
export type { PartialIntervalRule, ResampleOptions } from './data/resample.js';
export type { WarmUpBarsReader, WarmUpIterator } from './data/warm-up-bars.js';
export { TradeBarBuilder } from './data/trade-bar-builder.js';
export { openSpreadFile, generateTicks, GeneratedTickSource, mergeReplayStreams, barItems, tradeItems, quoteItems } from './data/index.js';
export type { QuoteFileSource, SpreadFileOptions, GenerateTicksOptions, ReplayItem, ReplayKind, ReplayOffer, TickSource } from './data/index.js';

// simulated venue
export { SimulatedVenue, SIMULATED_VENUE_ERRORS, KrakenSpotFeeModel, FixedFeeModel, InstrumentFeeModel, KRAKEN_SPOT_FEE_TIERS, FixedBpsSlippage, NoSlippage, krakenAssetDecimals } from './simulation/index.js';
export type { SimulatedVenueOptions, FillModelOptions, FeeModel, FeeTier, SlippageModel, SlippageContext, LimitFillRule } from './simulation/index.js';

// reports
export { toReportJson, toTradesCsv, toReportHtml, writeReport, REPORT_SCHEMA_VERSION, REPORT_FILE_NAMES, TRADES_CSV_COLUMNS } from './report/index.js';
export type { ReportJson, ReportPaths } from './report/index.js';

// config
export { defineConfig, validateConfig, kbotConfigSchema } from './config/schema.js';
export type { KbotConfig, KbotConfigInput, DataEntry, StrategyEntry } from './config/schema.js';
export { applyEnvOverrides } from './config/env-overrides.js';
export { Secret, secretFromEnv, redact } from './config/secret.js';

// secrets: the encrypted key file and where credentials come from
export { KeyFileError } from './secrets/key-file-error.js';
export type { KeyFileErrorCode } from './secrets/key-file-error.js';
export {
  encryptKeyFile, decryptKeyFile, readKeyFile, readKeyFileText, writeKeyFile, checkKeyEntries,
  KEY_FILE_FORMAT, KEY_FILE_VERSION, DEFAULT_SCRYPT, KEY_ENTRY_NAME, KEY_FIELD_NAME,
} from './secrets/key-file.js';
export type { KeyEntry, KeyEntries, ScryptParameters } from './secrets/key-file.js';
export { obtainPassphrase, createTerminalPrompt, PASSPHRASE_ENV, MIN_PASSPHRASE_LENGTH } from './secrets/passphrase.js';
export type { HiddenPrompt, PassphraseOptions, PromptInput, PromptOutput } from './secrets/passphrase.js';
export { resolveCredentials, keyFilePath, credentialEnvName, keyEntriesToEnv, KEY_FILE_NAME, KEY_FILE_ENV } from './secrets/credentials.js';
export type { CredentialResolution, CredentialSource, ResolveCredentialsOptions } from './secrets/credentials.js';
export { writeFileAtomic } from './secrets/atomic-write.js';

// audit trail
export { AuditTrail, attachAuditTrail, operatorActor, auditFilePath, AUDIT_FILE_NAME, AUDITED_ORDER_EVENTS } from './audit/audit-trail.js';
export type { AuditActor, AuditEntry, AuditTrailOptions, OperatorAction } from './audit/audit-trail.js';
export { configErrorMap, configIssuesFromZod, describeReceived } from './config/zod-issues.js';

// dependency injection: users import these from @kbot/core, never tsyringe directly
export { injectable, inject, singleton, container } from 'tsyringe';
export type { DependencyContainer, InjectionToken } from 'tsyringe';
export { TOKENS } from './di/tokens.js';
export { definePlugin, isKbotPlugin } from './di/plugin.js';
export type { KbotPlugin, PluginContext } from './di/plugin.js';
export { createBot } from './di/container.js';
export { sharedPairWarnings } from './di/shared-pairs.js';
export type { Bot, BotContainerOptions, StrategyRegistry, StrategyRegistryEntry } from './di/container.js';

// paper and live sessions
export { runSession } from './session/run-session.js';
// control: the running bot's status and panic over a local socket (kbot status, kbot panic)
export { controlSocketPath } from './control/control-protocol.js';
export type { BotControl, BotStatus, PanicReport, PanicRequest, ResumeReport, ResumeRequest, StatusPosition, StatusUntrackedOrder } from './control/control-protocol.js';
export { startControlServer, type ControlServer } from './control/control-server.js';
export { fetchBotStatus, requestBotPanic, requestBotResume } from './control/control-client.js';
export { engineControl, OPERATOR_STRATEGY_ID, type EngineControlOptions } from './control/engine-control.js';
export type { RunSessionOptions, SessionStartup, SessionStatus } from './session/run-session.js';
export { sessionFolder, sessionStoreFile, openSessionStore } from './session/session-store.js';
export type { SessionStoreKey } from './session/session-store.js';
// flight recorder and parity (kbot report --parity): docs/flight-recorder.md
export { FlightRecorder, PAPER_VENUE_SETTINGS, type FlightRecorderOptions } from './recording/flight-recorder.js';
export { RecordingWriter, recordingFileName, type RecordingWriterOptions } from './recording/recording-writer.js';
export { pruneRecordings, parseSizeText, type RecordingRetention, type PruneOutcome } from './recording/recording-retention.js';
export { recordingEntries, recordingFiles, readRecordingFile, type RecordingReadSummary } from './recording/recording-reader.js';
export type { RecordedEntry, RecordedOperatorAction, RecordedSessionInput } from './recording/recording-lines.js';
export { readRecordingManifest, RECORDING_MANIFEST_FILE, type RecordingManifest, type RecordedInstrument, type RecordedVenueSettings } from './recording/recording-manifest.js';
export { compareFills, type FillParity, type MatchedFill, type ParityTotals } from './recording/fill-parity.js';
export { parityConfig, recordedFills, recordedReplayData, recordedSession, runParity, type ParityOptions, type ParityOutcome, type RecordedOperatorActionAt } from './recording/replay-recording.js';

// persistence
export { SqliteStore, STORE_FILE_NAME, storeFilePath } from './persistence/sqlite-store.js';
export type { SqliteStoreOptions, StoreDurability, SessionLogEntry } from './persistence/sqlite-store.js';
export { StoreError } from './persistence/store-error.js';
export type { StoreErrorCode } from './persistence/store-error.js';
export { encodeEvent, decodeEvent, encodeValue, decodeValue, JOURNALED_EVENT_TYPES, isJournaledEventType } from './persistence/event-codec.js';
export { encodeJournalPayload, decodeJournalPayload, isCompactPayload } from './persistence/journal-payload.js';
export { MIGRATIONS, KBOT_APPLICATION_ID, latestSchemaVersion } from './persistence/migrations.js';
export type { Migration } from './persistence/migrations.js';
export { describeParams } from './config/describe-params.js';
export type { ParamDescription } from './config/describe-params.js';
