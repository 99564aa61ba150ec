import type { Decimal, EpochMs } from '@kbot/core';
import { parseAsset } from '../parse/asset.js';
import { wsArray, wsDecimal, wsInteger, wsOptionalDecimal, wsOptionalString, wsRecord, wsString, wsTimeOr } from './ws-fields.js';

export interface KrakenWalletBalance {
  /** `spot` or `earn`. */
  readonly type: string;
  /** `main`, `flex`, `bonded`, … */
  readonly id: string;
  readonly balance: Decimal;
}

/**
 * One `balances` entry (spec §8.13). A snapshot entry holds the asset's total and its wallets;
 * an update entry is one ledger event (trade, deposit, withdrawal, …) with the amount, fee and
 * the balance after it.
 */
export interface KrakenBalanceEntry {
  /** kbot asset name (`BTC` for `XBT`/`XXBT`). */
  readonly asset: string;
  readonly assetClass: string | undefined;
  /** The asset's balance (after the ledger event, for updates). */
  readonly balance: Decimal;
  readonly wallets: readonly KrakenWalletBalance[];
  /** Update entries: the ledger event. */
  readonly amount: Decimal | undefined;
  readonly fee: Decimal | undefined;
  readonly ledgerId: string | undefined;
  readonly referenceId: string | undefined;
  readonly ledgerType: string | undefined;
  readonly subtype: string | undefined;
  readonly category: string | undefined;
  readonly walletType: string | undefined;
  readonly walletId: string | undefined;
  readonly time: EpochMs | undefined;
}

export interface KrakenBalancesMessage {
  readonly type: 'snapshot' | 'update';
  readonly sequence: number | undefined;
  readonly entries: readonly KrakenBalanceEntry[];
}

/** One `balances` entry → Decimal balances with kbot asset names. */
export function parseBalanceEntry(entry: unknown): KrakenBalanceEntry {
  const fields = wsRecord(entry, 'balances entry');
  const asset = parseAsset(wsString(fields.asset, 'balances.asset'));
  const field = (name: string): string => `balances ${asset}.${name}`;
  const wallets =
    fields.wallets === undefined
      ? []
      : wsArray(fields.wallets, field('wallets')).map((wallet, index) => {
          const walletFields = wsRecord(wallet, `${field('wallets')}[${index}]`);
          return {
            type: wsString(walletFields.type, `${field('wallets')}[${index}].type`),
            id: wsString(walletFields.id, `${field('wallets')}[${index}].id`),
            balance: wsDecimal(walletFields.balance, `${field('wallets')}[${index}].balance`),
          };
        });
  return {
    asset,
    assetClass: wsOptionalString(fields.asset_class, field('asset_class')),
    balance: wsDecimal(fields.balance, field('balance')),
    wallets,
    amount: wsOptionalDecimal(fields.amount, field('amount')),
    fee: wsOptionalDecimal(fields.fee, field('fee')),
    ledgerId: wsOptionalString(fields.ledger_id, field('ledger_id')),
    referenceId: wsOptionalString(fields.ref_id, field('ref_id')),
    ledgerType: wsOptionalString(fields.type, field('type')),
    subtype: wsOptionalString(fields.subtype, field('subtype')),
    category: wsOptionalString(fields.category, field('category')),
    walletType: wsOptionalString(fields.wallet_type, field('wallet_type')),
    walletId: wsOptionalString(fields.wallet_id, field('wallet_id')),
    time: fields.timestamp === undefined ? undefined : wsTimeOr(fields.timestamp, field('timestamp'), 0),
  };
}

/** A `balances` message (`type`, `sequence`, `data`) → its entries. */
export function parseBalancesMessage(message: unknown): KrakenBalancesMessage {
  const fields = wsRecord(message, 'balances message');
  return {
    type: fields.type === 'snapshot' ? 'snapshot' : 'update',
    sequence: fields.sequence === undefined ? undefined : wsInteger(fields.sequence, 'balances.sequence'),
    entries: wsArray(fields.data, 'balances.data').map(parseBalanceEntry),
  };
}
