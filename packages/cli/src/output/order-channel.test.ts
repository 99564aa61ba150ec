import { KrakenExecutionClient, KrakenInstrumentProvider, KrakenRestClient } from '@kbot/exchange-kraken';
import { describe, expect, it } from 'vitest';
import { orderChannelText } from './order-channel.js';

describe('orderChannelText', () => {
  it('says REST, and why, while the private socket of a Kraken execution client is not open', () => {
    const rest = new KrakenRestClient({ baseUrl: 'http://127.0.0.1:1' });
    const client = new KrakenExecutionClient({ rest, instruments: new KrakenInstrumentProvider(rest), url: 'ws://127.0.0.1:1/auth/v2' });
    expect(client.connectionState).toBe('idle');
    expect(orderChannelText(client)).toBe('REST: the private WebSocket is idle, fills are found by polling');
  });

  it('has nothing to say of an execution client that is not Kraken\'s', () => {
    expect(orderChannelText({ connectionState: 'open' })).toBeUndefined();
    expect(orderChannelText(undefined)).toBeUndefined();
  });
});
