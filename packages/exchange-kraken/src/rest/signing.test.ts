import { describe, expect, it } from 'vitest';
import { signKrakenRequest } from './signing.js';

describe('signKrakenRequest', () => {
  it('reproduces the official worked example byte for byte', () => {
    const signature = signKrakenRequest({
      path: '/0/private/AddOrder',
      nonce: '1616492376594',
      body: 'nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25',
      secret: 'kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==',
    });
    expect(signature).toBe('4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ==');
    expect(Buffer.from(signature, 'base64').toString('hex')).toBe(
      'e3f769c5bde24f8b69fd90951304a712c2f1c746eaca12e975f3a973a7e7ece47cf940a5495e67f44e9a492f0c3ed9d17e9df66c06f49e66d19fa1fc9ddc0b51',
    );
  });

  it('reproduces the python-kraken-sdk vector (a 40-byte secret)', () => {
    expect(
      signKrakenRequest({
        path: '/0/private/AddOrder',
        nonce: 1616492376594,
        body: 'nonce=1616492376594&ordertype=limit&pair=XBTUSD',
        secret: 'cHl0aG9uLWtyYWtlbi1zZGsgdW5pdC10ZXN0IHNlY3JldCB2YWx1ZQ==',
      }),
    ).toBe('Fo+0Uhanvs3F1byZFCjVBMLsCcRE2xLQMDpoA3Q9hawoZ0ZL35AmbknAQBlOIs4baRx9UGhzQH+/CTl9qnyp1w==');
  });

  it('changes when a single body byte changes', () => {
    const base = {
      path: '/0/private/AddOrder',
      nonce: '1616492376594',
      secret: 'cHl0aG9uLWtyYWtlbi1zZGsgdW5pdC10ZXN0IHNlY3JldCB2YWx1ZQ==',
    };
    expect(signKrakenRequest({ ...base, body: 'nonce=1616492376594&ordertype=limit&pair=XBTUSD' })).not.toBe(
      signKrakenRequest({ ...base, body: 'nonce=1616492376594&ordertype=limit&pair=XBTUSE' }),
    );
  });

  it('refuses a secret that is not base64 without echoing it', () => {
    const secret = 'not base64 at all!';
    expect(() => signKrakenRequest({ path: '/0/private/Balance', nonce: 1, body: 'nonce=1', secret })).toThrow(
      /not base64 text/,
    );
    try {
      signKrakenRequest({ path: '/0/private/Balance', nonce: 1, body: 'nonce=1', secret });
    } catch (error) {
      expect((error as Error).message).not.toContain(secret);
      expect((error as { kind?: string }).kind).toBe('authentication');
    }
  });
});
