export const packageName = '@kbot/exchange-kraken';
