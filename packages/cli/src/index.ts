export const packageName = '@kbot/cli';
