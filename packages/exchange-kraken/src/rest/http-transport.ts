import { ExchangeError } from '@kbot/core';

export interface HttpRequest {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly timeoutMs: number;
}

export interface HttpResponse {
  readonly status: number;
  readonly body: string;
}

/**
 * Moves one request over the wire. It resolves with whatever status the server answered and
 * rejects only when no answer arrived (ExchangeError kind `network`): for an order, that is the
 * ambiguous case where the request may or may not have reached Kraken.
 */
export interface HttpTransport {
  send(request: HttpRequest): Promise<HttpResponse>;
}

function describeTarget(request: HttpRequest): string {
  // The path only: public query strings are harmless, but keeping messages short and uniform helps logs.
  const url = new URL(request.url);
  return `${request.method} ${url.origin}${url.pathname}`;
}

/** A transport over Node's global `fetch`. */
export class FetchTransport implements HttpTransport {
  readonly #fetch: typeof fetch;

  constructor(fetchFunction: typeof fetch = globalThis.fetch) {
    this.#fetch = fetchFunction;
  }

  async send(request: HttpRequest): Promise<HttpResponse> {
    let response: Response;
    try {
      response = await this.#fetch(request.url, {
        method: request.method,
        headers: request.headers,
        ...(request.body === undefined ? {} : { body: request.body }),
        signal: AbortSignal.timeout(request.timeoutMs),
      });
      return { status: response.status, body: await response.text() };
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
      const detail = timedOut
        ? `no response within ${request.timeoutMs} ms`
        : `${cause instanceof Error ? cause.message : String(cause)}${(cause as NodeJS.ErrnoException)?.code ? ` (${(cause as NodeJS.ErrnoException).code})` : ''}`;
      throw new ExchangeError('network', `Kraken ${describeTarget(request)}: ${detail}`, { retryable: true, cause: error });
    }
  }
}

/**
 * A non-200 answer: Kraken itself answers 200 even for API errors, so these come from the
 * gateway in front of it (Cloudflare 429, 5xx, 520...).
 */
export function httpStatusError(endpoint: string, status: number, body: string): ExchangeError {
  const excerpt = body.replace(/\s+/g, ' ').trim().slice(0, 160);
  const message = `Kraken ${endpoint}: HTTP ${status}${excerpt ? ` (${excerpt})` : ''}`;
  if (status === 429) return new ExchangeError('rate-limited', `${message}: the gateway is throttling this IP`, { retryable: true });
  if (status >= 500) return new ExchangeError('unavailable', `${message}: the gateway or API failed`, { retryable: true });
  return new ExchangeError('bad-response', `${message}: expected HTTP 200 with a JSON envelope`, { retryable: false });
}
