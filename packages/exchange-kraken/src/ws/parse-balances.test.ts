import { describe, expect, it } from 'vitest';
import { parseLosslessJson } from './lossless-json.js';
import { parseBalancesMessage } from './parse-balances.js';

describe('parseBalancesMessage', () => {
  it('reads a snapshot with wallets as exact Decimals and kbot asset names', () => {
    const message = parseBalancesMessage(
      parseLosslessJson(
        '{"channel":"balances","type":"snapshot","sequence":1,"data":[{"asset":"XBT","asset_class":"currency","balance":0.00000001,"wallets":[{"type":"spot","id":"main","balance":0.00000001}]},' +
          '{"asset":"USD","asset_class":"currency","balance":1000.1234,"wallets":[]}]}',
      ),
    );
    expect(message.type).toBe('snapshot');
    expect(message.sequence).toBe(1);
    expect(message.entries.map((entry) => [entry.asset, entry.balance.toFixed()])).toEqual([
      ['BTC', '0.00000001'],
      ['USD', '1000.1234'],
    ]);
    expect(message.entries[0]!.wallets[0]).toMatchObject({ type: 'spot', id: 'main' });
  });

  it('reads a ledger update with amount, fee and the balance after it', () => {
    const message = parseBalancesMessage(
      parseLosslessJson(
        '{"channel":"balances","type":"update","sequence":2,"data":[{"ledger_id":"L4UESK-KG3EQ-UFO4T5","ref_id":"TJKLXX-PGMUI-4NTLXU","timestamp":"2023-11-14T10:02:34.000000Z","type":"trade","asset":"USD","asset_class":"currency","category":"trade","wallet_type":"spot","wallet_id":"main","amount":-19.9743,"fee":0.0499,"balance":118.0553}]}',
      ),
    );
    const [entry] = message.entries;
    expect(entry!.amount!.toFixed()).toBe('-19.9743');
    expect(entry!.fee!.toFixed()).toBe('0.0499');
    expect(entry!.balance.toFixed()).toBe('118.0553');
    expect(entry).toMatchObject({ ledgerId: 'L4UESK-KG3EQ-UFO4T5', referenceId: 'TJKLXX-PGMUI-4NTLXU', ledgerType: 'trade', time: Date.parse('2023-11-14T10:02:34Z') });
  });

  it('reads an update whose optional texts are empty (Kraken sends "subtype": "") as not given', () => {
    const message = parseBalancesMessage(
      parseLosslessJson(
        '{"channel":"balances","type":"update","sequence":3,"data":[{"ledger_id":"L4UESK-KG3EQ-UFO4T6","ref_id":"TJKLXX-PGMUI-4NTLXV","timestamp":"2023-11-14T10:02:35.000000Z","type":"trade","subtype":"","asset":"USD","asset_class":"currency","category":"trade","wallet_type":"spot","wallet_id":"main","amount":-1.5,"fee":0,"balance":116.5553}]}',
      ),
    );
    expect(message.entries).toHaveLength(1);
    expect(message.entries[0]!.balance.toFixed()).toBe('116.5553');
  });

  it('names a balance that is not a number', () => {
    expect(() => parseBalancesMessage({ type: 'update', data: [{ asset: 'USD', balance: 'lots' }] })).toThrow('Kraken WebSocket balances USD.balance: received "lots", expected a decimal number');
  });
});
