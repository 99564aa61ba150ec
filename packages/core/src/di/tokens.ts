import type { InjectionToken } from 'tsyringe';
import type { EventBus } from '../bus/event-bus.js';
import type { Clock } from '../clock/clock.js';
import type { Exchange } from '../exchange/exchange.js';
import type { Learner } from '../learning/learner.js';
import type { Logger } from '../log/logger.js';
import type { Store } from '../persistence/store.js';
import type { RiskPolicy } from '../risk/risk-policy.js';
import type { KbotConfig } from '../config/schema.js';

/*
 * Every injectable thing has one typed token, declared here once. Tokens are `Symbol.for`, so
 * two copies of @kbot/core in one process still agree on them.
 */
export const TOKENS = {
  Logger: Symbol.for('kbot.Logger') as InjectionToken<Logger>,
  Clock: Symbol.for('kbot.Clock') as InjectionToken<Clock>,
  EventBus: Symbol.for('kbot.EventBus') as InjectionToken<EventBus>,
  Store: Symbol.for('kbot.Store') as InjectionToken<Store>,
  Exchange: Symbol.for('kbot.Exchange') as InjectionToken<Exchange>,
  Config: Symbol.for('kbot.Config') as InjectionToken<KbotConfig>,
  RiskPolicy: Symbol.for('kbot.RiskPolicy') as InjectionToken<RiskPolicy>,
  Learner: Symbol.for('kbot.Learner') as InjectionToken<Learner>,
  BotName: Symbol.for('kbot.BotName') as InjectionToken<string>,
} as const;
