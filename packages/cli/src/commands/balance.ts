import { decimalString, isoTime, type Balance } from '@kbot/core';
import { EXIT } from '../exit-codes.js';
import { withOperatorSession, type CommandOutcome, type OperatorContext } from '../operator/operator-session.js';
import { balancesTable } from '../output/operator-tables.js';

export interface BalanceFlags {
  readonly config?: string;
  readonly json?: boolean;
  /** Also list assets with a zero balance. */
  readonly all?: boolean;
}

export function balanceJson(balance: Balance): { asset: string; total: string; available: string } {
  return { asset: balance.asset, total: decimalString(balance.total), available: decimalString(balance.available) };
}

/** `kbot balance`: the account's balances at the configured exchange (Kraken BalanceEx), total and available. */
export async function balanceCommand(flags: BalanceFlags, context: OperatorContext): Promise<CommandOutcome> {
  return withOperatorSession({ flags, context, command: 'kbot balance', account: true }, async ({ venue }) => {
    const time = (context.now ?? Date.now)();
    const balances = (await venue.fetchBalances()).filter((balance) => flags.all || !balance.total.isZero());
    if (flags.json) {
      return { exitCode: EXIT.ok, output: JSON.stringify({ exchange: venue.exchangeId, endpoint: venue.endpoint, time: isoTime(time), balances: balances.map(balanceJson) }) };
    }
    const head = `balances at ${venue.exchangeId} (${venue.endpoint}), ${isoTime(time)}`;
    return { exitCode: EXIT.ok, output: balances.length === 0 ? `${head}\nno balances${flags.all ? '' : ' above zero (--all lists every asset)'}` : `${head}\n${balancesTable(balances)}` };
  });
}
