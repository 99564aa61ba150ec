import { isoTime } from '@kbot/core';
import { EXIT } from '../exit-codes.js';
import { withOperatorSession, type CommandOutcome, type OperatorContext } from '../operator/operator-session.js';

/**
 * `kbot cancel-all`: cancels every open order of the account (Kraken CancelAll), the bot's and
 * any other. No confirmation: canceling only ever removes risk.
 */
export async function cancelAllCommand(flags: { readonly config?: string; readonly json?: boolean }, context: OperatorContext): Promise<CommandOutcome & { readonly canceled: number }> {
  const audit = { command: 'cancel-all', args: {}, result: (value: { canceled: number }) => ({ canceled: value.canceled }) };
  return withOperatorSession({ flags, context, command: 'kbot cancel-all', account: true, audit }, async ({ venue }) => {
    const canceled = await venue.cancelAllOrders();
    const time = (context.now ?? Date.now)();
    if (flags.json) return { exitCode: EXIT.ok, canceled, output: JSON.stringify({ exchange: venue.exchangeId, endpoint: venue.endpoint, time: isoTime(time), canceled }) };
    return { exitCode: EXIT.ok, canceled, output: `canceled ${canceled} open order${canceled === 1 ? '' : 's'} at ${venue.exchangeId} (${venue.endpoint})` };
  });
}
