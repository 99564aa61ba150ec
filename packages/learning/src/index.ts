export const packageName = '@kbot/learning';
