import { dirname, resolve } from 'node:path';
import { AuditTrail, KbotError, auditFilePath, operatorActor, requestBotResume } from '@kbot/core';
import type { Command } from 'commander';
import { UsageError } from '../exit-codes.js';
import { loadKbotConfig } from '../load-config.js';
import type { CliIo } from '../program.js';
import { findRunningBots, parseModeFlag } from './status.js';

export interface ResumeFlags {
  readonly config?: string;
  readonly mode?: string;
  readonly reason?: string;
  readonly json?: boolean;
}

/**
 * `kbot resume`: the way out of `halted` (after `kbot panic` or a breaker) or `reducing`, for the
 * running bot of this config. Its state goes back to `active`, journaled with who asked and why,
 * and the command goes into the audit trail. A bot that is not running resumes as it starts,
 * with `kbot run --resume`.
 */
export function registerResumeCommand(program: Command, io: CliIo): void {
  program
    .command('resume')
    .description('set the running bot of this config back to active trading after a panic or a breaker halted it')
    .option('-c, --config <file>', 'config file (default: kbot.config.ts found from the current folder)')
    .option('--mode <mode>', 'paper or live (needed when both run)')
    .option('--reason <text>', 'why, journaled with the state change')
    .option('--json', 'print { bot, mode, from, tradingState } as JSON')
    .action(async (flags: ResumeFlags) => {
      const mode = parseModeFlag(flags.mode);
      if (flags.reason !== undefined && (flags.reason.trim() === '' || flags.reason.length > 500)) {
        throw new UsageError(`--reason: received ${JSON.stringify(flags.reason.slice(0, 60))}, expected a text of 1 to 500 characters`);
      }
      const bots = await findRunningBots(io.cwd, flags.config, mode);
      if (bots.length === 0) {
        const which = mode === undefined ? 'this config\'s bot is not running, in paper or live mode' : `this config's bot is not running in ${mode} mode`;
        throw new KbotError('bot-not-running', `${which}: start it with "kbot run --resume" to set its trading state back to active as it starts`);
      }
      if (bots.length > 1) throw new UsageError('--mode: this config\'s bot runs in paper and in live mode; say which one to resume');
      const bot = bots[0]!;
      const { config, file } = await loadKbotConfig({ cwd: io.cwd, ...(flags.config ? { file: flags.config } : {}) });
      const actor = operatorActor();
      const trail = new AuditTrail(auditFilePath(resolve(dirname(file), config.storage.dir)));
      const args = { bot: config.name, mode: bot.mode, ...(flags.reason === undefined ? {} : { reason: flags.reason }) };
      try {
        const report = await requestBotResume(bot.socket, { actor, ...(flags.reason === undefined ? {} : { reason: flags.reason }) });
        trail.recordOperatorAction({ command: 'resume', args: { ...args, from: report.from, tradingState: report.tradingState }, outcome: 'ok', actor });
        if (flags.json) io.stdout(JSON.stringify({ bot: config.name, mode: bot.mode, from: report.from, tradingState: report.tradingState }));
        else io.stdout(`${config.name} (${bot.mode}): trading state ${report.from} -> ${report.tradingState}`);
      } catch (error) {
        trail.recordOperatorAction({ command: 'resume', args, outcome: 'failed', detail: error instanceof Error ? error.message : String(error), actor });
        throw error;
      } finally {
        trail.close();
      }
    });
}
