import { describe, expect, it } from 'vitest';
import { parseLosslessJson } from './lossless-json.js';
import { parseStatus } from './parse-status.js';

describe('parseStatus', () => {
  it('keeps the uint64 connection id exact', () => {
    const message = parseLosslessJson('{"api_version":"v2","connection_id":17843232920108168701,"system":"online","version":"2.0.10"}');
    expect(parseStatus(message)).toEqual({ system: 'online', venueSystem: 'online', apiVersion: 'v2', connectionId: '17843232920108168701', version: '2.0.10' });
  });

  it('knows the documented states and keeps others as unknown', () => {
    expect(parseStatus({ system: 'cancel_only' }).system).toBe('cancel_only');
    expect(parseStatus({ system: 'maintenance' }).system).toBe('maintenance');
    expect(parseStatus({ system: 'sleeping' })).toMatchObject({ system: 'unknown', venueSystem: 'sleeping' });
  });
});
