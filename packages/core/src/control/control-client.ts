import { request } from 'node:http';
import { KbotError } from '../errors/errors.js';
import type { BotStatus, PanicReport, PanicRequest, ResumeReport, ResumeRequest } from './control-protocol.js';

function call<T>(path: string, method: 'GET' | 'POST', url: string, body: unknown, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const outgoing = request(
      { socketPath: path, method, path: url, headers: text === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = JSON.parse(raw);
          } catch {
            return reject(new KbotError('control-failed', `the bot's control socket ${path} answered ${url} with something that is not JSON`));
          }
          if (response.statusCode !== 200) {
            const message = (parsed as { error?: string }).error ?? `status ${response.statusCode}`;
            return reject(new KbotError('control-failed', `the running bot refused ${method} ${url}: ${message}`));
          }
          resolve(parsed as T);
        });
      },
    );
    outgoing.setTimeout(timeoutMs, () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED') {
        reject(new KbotError('bot-not-running', `this bot is not running (nothing answers at ${path}); start it with "kbot run"`));
      } else {
        reject(new KbotError('control-failed', `the bot's control socket ${path}: ${error.message}`));
      }
    });
    outgoing.end(text);
  });
}

/** Asks the bot running on `path` (see controlSocketPath) for its status. */
export function fetchBotStatus(path: string, timeoutMs = 5000): Promise<BotStatus> {
  return call<BotStatus>(path, 'GET', '/status', undefined, timeoutMs);
}

/** Asks the bot running on `path` to panic: halt, cancel every order, optionally flatten. */
export function requestBotPanic(path: string, panic: PanicRequest, timeoutMs = 30_000): Promise<PanicReport> {
  return call<PanicReport>(path, 'POST', '/panic', panic, timeoutMs);
}

/** Asks the bot running on `path` to resume trading: its state back to `active`, journaled with who asked. */
export function requestBotResume(path: string, resume: ResumeRequest, timeoutMs = 10_000): Promise<ResumeReport> {
  return call<ResumeReport>(path, 'POST', '/resume', resume, timeoutMs);
}
