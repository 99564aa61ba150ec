export { isKrakenSecretText, signKrakenRequest } from './rest/signing.js';
export type { SignatureInput } from './rest/signing.js';
export { KRAKEN_EXACT_ERRORS, KRAKEN_PREFIX_ERRORS, classifyKrakenError, krakenError, krakenErrorFromEnvelope, isKrakenWarning, throttledRetryAfterMs } from './rest/errors.js';
export type { KrakenErrorRule, KrakenErrorContext } from './rest/errors.js';
export { NonceService, nonceFileName } from './rest/nonce.js';
export type { NonceSource, NonceServiceOptions } from './rest/nonce.js';
export { RestRateLimiter, TradingRateLimiter, REST_COUNTER_LIMITS, TRADING_COUNTER_LIMITS, RESERVE_MARGIN_MS, restCallCost, amendOrderCost, editOrderCost, cancelOrderCost } from './rest/rate-limiter.js';
export type { RestCounterStore } from './rest/rate-limiter.js';
export { SharedRestCounterFile, restCounterFileName } from './rest/shared-rest-counter.js';
export type { SharedRestCounterFileOptions } from './rest/shared-rest-counter.js';
export type { KrakenTier, RestCounterLimits, TradingCounterLimits } from './rest/rate-limiter.js';
export { FetchTransport, httpStatusError } from './rest/http-transport.js';
export type { HttpTransport, HttpRequest, HttpResponse } from './rest/http-transport.js';
export { KrakenRestClient, DEFAULT_KRAKEN_REST_URL, KRAKEN_PUBLIC_ENDPOINTS, KRAKEN_PRIVATE_ENDPOINTS, encodeKrakenForm } from './rest/rest-client.js';
export type { KrakenRestClientOptions, KrakenCredentials, KrakenPublicEndpoint, KrakenPrivateEndpoint } from './rest/rest-client.js';
export type {
  KrakenNumber, KrakenEnvelope, TimeResult, SystemStatusResult, AssetInfo, AssetsResult, FeeTier, AssetPairInfo, AssetPairsResult, TickerInfo, TickerResult,
  OhlcRow, OhlcResult, DepthLevel, DepthResult, TradeRow, TradesResult, SpreadRow, SpreadResult, BalanceResult, ExtendedBalance, BalanceExResult,
  TradeBalanceResult, OrderDescription, OrderInfo, OpenOrdersResult, ClosedOrdersResult, QueryOrdersResult, TradeInfo, TradesHistoryResult, AddOrderResult,
  AddOrderBatchEntry, AddOrderBatchResult, AmendOrderResult, EditOrderResult, CancelOrderResult, CancelAllOrdersAfterResult, WebSocketsTokenResult,
  OrderSideParam, OrderTypeParam, OrderFlag, OrderFields, AddOrderParams, AddOrderBatchParams, AmendOrderParams, EditOrderParams, CancelOrderParams,
  OpenOrdersParams, ClosedOrdersParams, QueryOrdersParams, TradesHistoryParams, OhlcInterval,
} from './rest/types.js';
export { parseAsset, toKrakenAsset } from './parse/asset.js';
export type { AssetNameOptions } from './parse/asset.js';
export { toKrakenPair } from './parse/pair.js';
export { parseAssetPairs, parseAssetPair, feeRateAt, assetPairAliases, isDarkPoolPair } from './parse/asset-pairs.js';
export type { ParseAssetPairsOptions } from './parse/asset-pairs.js';
export { startKrakenSimulator, KrakenSimulator, SIMULATOR_WS_PATH, SIMULATOR_WS_AUTH_PATH } from './simulator/kraken-simulator.js';
export type { KrakenSimulatorOptions, SimulatorAccountOptions, SimulatorMarketOptions, MarketSourceOption } from './simulator/simulator-options.js';
export type { InjectedFault } from './simulator/fault-injector.js';
export type { SystemStatus } from './simulator/simulator-account.js';
export type { SimOrder, SimTrade, LedgerEntry } from './simulator/account-records.js';
export { KrakenInstrumentProvider } from './instrument-provider.js';
export {
  L2Book,
  CHECKSUM_LEVELS,
  KRAKEN_BOOK_DEPTHS,
  SCANNED_ENTRY_APPLIED,
  SCANNED_ENTRY_MISMATCH,
  SCANNED_ENTRY_UNREADABLE,
  COMPACT_UPDATE_APPLIED,
  COMPACT_UPDATE_DECLINED,
  COMPACT_UPDATE_MISMATCH,
} from './book/l2-book.js';
export type { L2BookOptions, ScannedBookEntry } from './book/l2-book.js';
export { L3Book } from './book/l3-book.js';
export { L3BookView } from './book/l3-book-view.js';
export type { L3BookOptions, L3Order, L3ApplyOutcome, Level3Message, Level3OrderMessage } from './book/l3-book.js';
export { BookKeeper } from './book/book-keeper.js';
export type { BookHealth, BookResyncReason, BookPrecision, TrackBookOptions, BookKeeperOptions } from './book/book-keeper.js';
export { V1BookReplay, parseV1BookMessage } from './book/v1-book.js';
export type { V1BookLevel, V1BookMessage, V1BookOutcome } from './book/v1-book.js';
export { crc32OfText } from './book/crc32.js';
export { KrakenWsClient, DEFAULT_KRAKEN_WS_URL, DEFAULT_KRAKEN_WS_AUTH_URL } from './ws/kraken-ws-client.js';
export type { KrakenWsClientOptions, KrakenWsHandlers, KrakenWsConnectionState } from './ws/kraken-ws-client.js';
export type { KrakenSubscription, KrakenChannel, KrakenBookDepth, KrakenLevel3Depth, KrakenOhlcInterval } from './ws/subscriptions.js';
export { KRAKEN_LEVEL3_DEPTHS } from './ws/subscriptions.js';
export { scanBookMessage, BookMessageScan, BookEntryScan } from './ws/parse-book.js';
export type { BookScanResult } from './ws/parse-book.js';
export { parseTicker } from './ws/parse-ticker.js';
export { parseTrade, parseTrades } from './ws/parse-trade.js';
export { parseOhlc, KRAKEN_OHLC_INTERVALS } from './ws/parse-ohlc.js';
export { parseInstrumentPair, parseInstrumentMessage } from './ws/parse-instrument.js';
export type { KrakenInstrumentPair, KrakenInstrumentAsset, KrakenInstrumentMessage } from './ws/parse-instrument.js';
export { parseExecution, parseExecutionsMessage, KRAKEN_EXEC_TYPES, KRAKEN_ORDER_STATUSES } from './ws/parse-executions.js';
export type { KrakenExecType, KrakenOrderStatus, KrakenFee, KrakenExecutionFill, KrakenExecutionReport, KrakenExecutionsMessage } from './ws/parse-executions.js';
export { parseBalanceEntry, parseBalancesMessage } from './ws/parse-balances.js';
export type { KrakenBalanceEntry, KrakenWalletBalance, KrakenBalancesMessage } from './ws/parse-balances.js';
export { parseStatus } from './ws/parse-status.js';
export type { KrakenSystemStatus, KrakenSystemState } from './ws/parse-status.js';
export { parseMethodResponse } from './ws/parse-response.js';
export type { KrakenMethodResponse } from './ws/parse-response.js';
export { parseRfc3339 } from './ws/parse-timestamp.js';
export { JsonNumber, parseLosslessJson, toPlainJson } from './ws/lossless-json.js';
export type { JsonValue, JsonObject } from './ws/lossless-json.js';
export { parseLevel3Entry } from './ws/parse-level3.js';
export { toWireJson } from './ws/wire-json.js';
export { fullJitterDelay } from './ws/backoff.js';
export type {
  WsOrderType, WsPriceType, WsOrderTriggers, WsConditionalOrder, WsOrderFields, WsAddOrderParams, WsAmendOrderParams, WsCancelOrderParams, WsBatchAddParams,
  WsBatchCancelParams, WsAddOrderResult, WsAmendOrderResult, WsCancelOrderOutcome, WsCancelAllResult, WsCancelAllOrdersAfterResult, WsBatchAddRow, WsBatchCancelResult,
} from './ws/trading-types.js';
export { KrakenMarketDataClient, krakenBookDepth, krakenLevel3Depth, krakenOhlcInterval } from './market-data-client.js';
export type { KrakenMarketDataClientOptions, KrakenMarketDataConnectionDetail, KrakenMarketDataRest, KrakenMarketDataSource, KrakenRestFallbackOptions } from './market-data-client.js';
export { ClosedBarAggregator } from './bar-aggregator.js';
export type { ClosedBarAggregatorOptions } from './bar-aggregator.js';
export { KrakenExecutionClient } from './execution-client.js';
export type { KrakenExecutionClientOptions, KrakenExecutionRest } from './execution-client.js';
export { KrakenOrderTracker, isSettled } from './order-tracker.js';
export type { TrackedOrder, TrackOrderInput, TrackerOutcome, KrakenOrderTrackerOptions } from './order-tracker.js';
export { buildKrakenOrderRequest } from './kraken-order-request.js';
export type { KrakenOrderRequest } from './kraken-order-request.js';
export { isKrakenClientOrderId, toKrakenClientOrderId } from './client-order-id.js';
export { parseKrakenOrder, parseKrakenTrade, parseKrakenBalance, parseKrakenBalanceEx, venueOrderStatus, krakenSeconds } from './venue-state.js';
export type { KrakenOrderState, ParseOrderContext, ParseTradeContext } from './venue-state.js';
export { DeadMansSwitch, deadMansSwitchHeartbeat } from './dead-mans-switch.js';
export type { DeadMansSwitchOptions, DeadMansSwitchState, SessionHeartbeat } from './dead-mans-switch.js';
export { KeylessExecutionClient } from './keyless-execution-client.js';
export { kraken, createKrakenExchange } from './plugin.js';
export type { KrakenExchange, CreateKrakenExchangeOptions } from './plugin.js';
export { krakenSettingsSchema, parseKrakenSettings, resolveKrakenSettings } from './settings.js';
export type { KrakenSettings, KrakenSettingsInput, ResolvedKrakenSettings } from './settings.js';
