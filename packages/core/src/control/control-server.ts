import { chmodSync, existsSync, mkdirSync, unlinkSync } from 'node:fs';
import { createConnection } from 'node:net';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { basename, dirname } from 'node:path';
import { KbotError, isKbotError } from '../errors/errors.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { StoreError } from '../persistence/store-error.js';
import type { BotControl, PanicRequest, ResumeRequest } from './control-protocol.js';

export interface ControlServer {
  readonly path: string;
  /** Starts answering for `control` (until then requests get 503: the bot is starting). */
  attach(control: BotControl): void;
  close(): Promise<void>;
}

/** Largest request body accepted: a panic request is a few dozen bytes. */
const MAX_BODY_BYTES = 4096;

function isAlive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`body larger than ${MAX_BODY_BYTES} bytes`));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function parseResumeRequest(text: string): ResumeRequest | string {
  let body: unknown;
  try {
    body = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    return `body: received ${JSON.stringify(text.slice(0, 80))}, expected JSON such as {"actor": "operator:alice", "reason": "checked the account"}`;
  }
  if (typeof body !== 'object' || body === null) return 'body: expected a JSON object';
  const { actor = 'operator:unknown', reason } = body as Record<string, unknown>;
  if (typeof actor !== 'string' || actor.length === 0 || actor.length > 200) return `actor: received ${JSON.stringify(actor)}, expected a short text such as "operator:alice"`;
  if (reason !== undefined && (typeof reason !== 'string' || reason.length > 500)) return `reason: received ${JSON.stringify(reason)}, expected a text of at most 500 characters`;
  return reason === undefined ? { actor } : { actor, reason };
}

function parsePanicRequest(text: string): PanicRequest | string {
  let body: unknown;
  try {
    body = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    return `body: received ${JSON.stringify(text.slice(0, 80))}, expected JSON such as {"flatten": false, "actor": "operator:alice"}`;
  }
  if (typeof body !== 'object' || body === null) return 'body: expected a JSON object';
  const { flatten = false, actor = 'operator:unknown' } = body as Record<string, unknown>;
  if (typeof flatten !== 'boolean') return `flatten: received ${JSON.stringify(flatten)}, expected true or false`;
  if (typeof actor !== 'string' || actor.length === 0 || actor.length > 200) return `actor: received ${JSON.stringify(actor)}, expected a short text such as "operator:alice"`;
  return { flatten, actor };
}

/**
 * A system error while making the socket (a read-only folder, a file where a folder should be)
 * as one line for the operator: which folder, what failed, what it needs. Bugs pass through.
 */
function socketFolderError(path: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (isKbotError(error) || typeof code !== 'string') return error;
  const folder = dirname(path);
  const detail = (error as Error).message.replace(/\s+/g, ' ');
  return new StoreError(
    'store-unavailable',
    folder,
    `cannot create the control socket ${basename(path)} there (${detail}); expected a folder this user can write to: kbot run keeps the bot's journal and its control socket in it. Give this user write permission there or point storage.dir at another folder`,
    { cause: error },
  );
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

/**
 * The running bot's control channel: HTTP with JSON on a Unix socket (a named pipe on Windows)
 * that only the bot's user can open. Start it before the bot opens its journal (it is the lock)
 * and `attach` the bot once its engine exists. `GET /status` reports the bot; `POST /panic` halts it,
 * cancels its orders and optionally flattens; `POST /resume` sets it back to `active`. The socket doubles as a lock: a second bot on the
 * same journal finds it alive and refuses to start, and a stale one left by a killed bot
 * is removed.
 */
export async function startControlServer(options: { path: string; control?: BotControl; logger?: Logger }): Promise<ControlServer> {
  const { path } = options;
  let control = options.control;
  const logger = options.logger ?? silentLogger;
  const pipe = path.startsWith('\\\\.\\pipe\\');
  try {
    if (!pipe && existsSync(path)) {
      if (await isAlive(path)) {
        throw new KbotError('bot-already-running', `this bot is already running (its control socket ${path} answers): stop it first; two processes must not share one journal`);
      }
      // Left by a bot that was killed: nobody answers, so it is safe to replace.
      unlinkSync(path);
    }
    if (!pipe) mkdirSync(dirname(path), { recursive: true });
  } catch (error) {
    throw socketFolderError(path, error);
  }

  const server = createServer((request, response) => {
    void (async () => {
      try {
        if (control === undefined) return send(response, 503, { error: 'the bot is starting (recovering its journal and reconciling with the venue); ask again in a moment' });
        if (request.method === 'GET' && request.url === '/status') return send(response, 200, control.status());
        if (request.method === 'POST' && request.url === '/panic') {
          const parsed = parsePanicRequest(await readBody(request));
          if (typeof parsed === 'string') return send(response, 400, { error: parsed });
          logger.warn('panic requested through the control socket', { actor: parsed.actor, flatten: parsed.flatten });
          return send(response, 200, await control.panic(parsed));
        }
        if (request.method === 'POST' && request.url === '/resume') {
          const parsed = parseResumeRequest(await readBody(request));
          if (typeof parsed === 'string') return send(response, 400, { error: parsed });
          logger.warn('resume requested through the control socket', { actor: parsed.actor, reason: parsed.reason });
          return send(response, 200, control.resume(parsed));
        }
        send(response, 404, { error: `${request.method} ${request.url}: not a control endpoint (GET /status, POST /panic, POST /resume)` });
      } catch (error) {
        logger.error('control request failed', { url: request.url, error: String(error) });
        if (!response.headersSent) send(response, 500, { error: error instanceof Error ? error.message : String(error) });
      }
    })();
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    // Only the bot's user may read its status or panic it.
    if (!pipe) chmodSync(path, 0o600);
  } catch (error) {
    server.close();
    // A named pipe has no folder to blame.
    throw pipe ? error : socketFolderError(path, error);
  }
  logger.info('control socket listening', { path });
  return {
    path,
    attach(next: BotControl) {
      control = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
