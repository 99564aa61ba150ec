import { wsIntegerText, wsOptionalString, wsRecord } from './ws-fields.js';

export type KrakenSystemState = 'online' | 'maintenance' | 'cancel_only' | 'post_only' | 'unknown';

/** The `status` channel (spec §8.4): sent on connect and whenever the venue's state changes. */
export interface KrakenSystemStatus {
  readonly system: KrakenSystemState;
  /** Kraken's text, kept when it is not one of the known states. */
  readonly venueSystem: string;
  readonly apiVersion: string | undefined;
  /** A uint64, kept as text because it exceeds 2^53. */
  readonly connectionId: string | undefined;
  readonly version: string | undefined;
}

const STATES: readonly KrakenSystemState[] = ['online', 'maintenance', 'cancel_only', 'post_only'];

/** One `status` entry → the system state; unknown states are `unknown`, not an error. */
export function parseStatus(entry: unknown): KrakenSystemStatus {
  const fields = wsRecord(entry, 'status entry');
  const venueSystem = typeof fields.system === 'string' ? fields.system : '';
  return {
    system: (STATES as readonly string[]).includes(venueSystem) ? (venueSystem as KrakenSystemState) : 'unknown',
    venueSystem,
    apiVersion: wsOptionalString(fields.api_version, 'status.api_version'),
    connectionId: fields.connection_id === undefined ? undefined : wsIntegerText(fields.connection_id, 'status.connection_id'),
    version: wsOptionalString(fields.version, 'status.version'),
  };
}

