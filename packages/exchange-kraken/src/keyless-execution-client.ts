import { ConfigError, type Balance, type ExecutionClient, type ReconcileReport } from '@kbot/core';

/**
 * The execution side of a Kraken exchange created without API keys (market data and paper
 * trading need none). Anything that would trade or read the account fails with a ConfigError
 * that names the environment variables to set.
 */
export class KeylessExecutionClient implements ExecutionClient {
  readonly #variables: { readonly key: string; readonly secret: string };

  constructor(variables: { readonly key: string; readonly secret: string }) {
    this.#variables = variables;
  }

  #missing(what: string): ConfigError {
    return new ConfigError(
      [
        {
          path: `${this.#variables.key} / ${this.#variables.secret}`,
          received: 'not set',
          expected: `a Kraken API key and secret in the environment (${what} needs them; paper trading does not)`,
        },
      ],
      'Kraken',
    );
  }

  connect(): Promise<void> {
    return Promise.reject(this.#missing('live trading'));
  }

  submit(): void {
    throw this.#missing('placing an order');
  }

  cancel(): void {
    throw this.#missing('canceling an order');
  }

  reconcile(): Promise<ReconcileReport> {
    return Promise.reject(this.#missing('reconciling orders'));
  }

  fetchBalances(): Promise<readonly Balance[]> {
    return Promise.reject(this.#missing('reading balances'));
  }

  async close(): Promise<void> {}
}
