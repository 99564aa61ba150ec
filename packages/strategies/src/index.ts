export const packageName = '@kbot/strategies';
