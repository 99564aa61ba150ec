export { signKrakenRequest } from './rest/signing.js';
export type { SignatureInput } from './rest/signing.js';
export { KRAKEN_EXACT_ERRORS, KRAKEN_PREFIX_ERRORS, classifyKrakenError, krakenError, krakenErrorFromEnvelope, isKrakenWarning, throttledRetryAfterMs } from './rest/errors.js';
export type { KrakenErrorRule, KrakenErrorContext } from './rest/errors.js';
export { NonceService, nonceFileName } from './rest/nonce.js';
export type { NonceSource, NonceServiceOptions } from './rest/nonce.js';
export { RestRateLimiter, TradingRateLimiter, REST_COUNTER_LIMITS, TRADING_COUNTER_LIMITS, restCallCost, amendOrderCost, editOrderCost, cancelOrderCost } from './rest/rate-limiter.js';
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
