import { decimalString, isoTime, operatorActor, requestBotPanic } from '@kbot/core';
import { EXIT, UsageError } from '../exit-codes.js';
import { configQuote, parseAssetFlag } from '../operator/operator-flags.js';
import { NotConfirmedError, withOperatorSession, type CommandOutcome, type OperatorContext } from '../operator/operator-session.js';
import { panic, type PanicReport } from '../operator/panic.js';
import { panicSummary } from '../output/operator-tables.js';
import { placedOrderJson } from './sell.js';
import { findRunningBots } from './status.js';

export interface PanicFlags {
  readonly config?: string;
  readonly json?: boolean;
  /** Also sell every asset but the quote at market. */
  readonly flatten?: boolean;
  /** Asset to sell into; default the config's quote (USD). */
  readonly quote?: string;
  /** Assets --flatten leaves alone (repeatable). */
  readonly keep?: readonly string[];
  /** Confirms --flatten without asking. */
  readonly yes?: boolean;
}

export function panicReportJson(report: PanicReport): Record<string, unknown> {
  return {
    exchange: report.exchangeId,
    endpoint: report.endpoint,
    time: isoTime(report.time),
    halt: report.halt,
    canceled: report.canceled ?? null,
    flatten: report.flatten,
    quote: report.quote,
    sold: report.sold.map((sale) => ({ asset: sale.asset, pair: sale.instrumentId, quantity: decimalString(sale.quantity), order: placedOrderJson(sale.order) })),
    unsold: report.unsold.map((left) => ({ asset: left.asset, quantity: decimalString(left.quantity), reason: left.reason })),
    errors: report.errors,
  };
}

/**
 * `kbot panic [--flatten]`: the kill switch from the command line. Cancels every open order and,
 * with --flatten, sells every other asset into the quote at market (confirmed with --yes or at
 * the prompt, before anything is done). Prints what it did; exit 4 when any step failed.
 * The work itself is panic() (operator/panic.ts), which a running bot can call with its halt.
 */
export async function panicCommand(flags: PanicFlags, context: OperatorContext): Promise<CommandOutcome & { readonly report: PanicReport }> {
  const quoteFlag = flags.quote === undefined ? undefined : parseAssetFlag(flags.quote, '--quote');
  const keep = (flags.keep ?? []).map((asset) => parseAssetFlag(asset, '--keep'));
  if (!flags.flatten && (flags.quote !== undefined || keep.length > 0)) throw new UsageError(`${flags.quote !== undefined ? '--quote' : '--keep'}: only means something with --flatten`);
  const audit = {
    command: 'panic',
    args: { flatten: flags.flatten === true, ...(quoteFlag === undefined ? {} : { quote: quoteFlag }), ...(keep.length === 0 ? {} : { keep }) },
    result: ({ report }: { report: PanicReport }) => {
      const { canceled, sold, unsold, errors } = panicReportJson(report);
      return { canceled, sold, unsold, errors };
    },
  };
  return withOperatorSession({ flags, context, command: 'kbot panic', account: true, audit }, async ({ opened, venue }) => {
    const quote = quoteFlag ?? configQuote(opened);
    if (flags.flatten && !flags.yes) {
      const what = `cancel every open order and sell everything but ${[quote, ...keep].join(', ')} into ${quote} at market at ${venue.endpoint}`;
      if (flags.json || context.confirm === undefined) throw new NotConfirmedError(`panic --flatten would ${what}: add --yes to confirm; nothing was done`);
      if (!(await context.confirm(`${what[0]!.toUpperCase()}${what.slice(1)}?`))) throw new NotConfirmedError('not confirmed; nothing was done');
    }
    // A running bot of this config is halted first, through its control socket, so it cancels its
    // own orders in its journal and sends no new ones while the account is cleared below.
    const running = await findRunningBots(context.cwd, flags.config);
    const halt = running.length === 0 ? undefined : async () => {
      const actor = operatorActor(context.env ?? process.env);
      for (const bot of running) await requestBotPanic(bot.socket, { flatten: false, actor });
    };
    const report = await panic(venue, { flatten: flags.flatten === true, quote, keep, ...(halt ? { halt } : {}), ...(context.now ? { now: context.now } : {}) });
    const exitCode = report.errors.length > 0 ? EXIT.exchange : EXIT.ok;
    return { exitCode, report, output: flags.json ? JSON.stringify(panicReportJson(report)) : panicSummary(report) };
  });
}
