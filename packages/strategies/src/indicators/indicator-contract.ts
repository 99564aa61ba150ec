import { describe, expect, it } from 'vitest';
import type { Indicator } from './indicator.js';

/**
 * Registers the tests every streaming indicator must pass (vitest). Run it from your own
 * indicator's test file:
 *
 * ```ts
 * runIndicatorContract('SMA(20)', () => new SMA(20), closes);
 * ```
 *
 * `inputs` must be longer than the indicator's warm-up; realistic data works best, and the
 * "divergent" inputs used to test `replace` are taken from the same list. Values are compared
 * exactly (`Object.is` per number): `replace` must restore state, not approximate it.
 */
export function runIndicatorContract<Input, Value>(
  name: string,
  factory: () => Indicator<Input, Value>,
  inputs: readonly Input[],
): void {
  // Inputs used for the replaced-away bar: far from the real one in the list, so usually different.
  const divergent = (index: number, shift: number): Input => inputs[(index + shift * 7 + Math.floor(inputs.length / 2)) % inputs.length]!;

  describe(`${name} keeps the indicator contract`, () => {
    it('declares warmUp as a positive integer smaller than the test input count', () => {
      const { warmUp } = factory();
      expect(Number.isInteger(warmUp) && warmUp >= 1, `warmUp ${warmUp} must be an integer ≥ 1`).toBe(true);
      expect(inputs.length, 'the contract needs inputs past the warm-up').toBeGreaterThan(warmUp + 1);
    });

    it('has no value and is not stable before warmUp inputs', () => {
      const indicator = factory();
      expect(indicator.value, 'value before any input').toBeUndefined();
      expect(indicator.isStable, 'isStable before any input').toBe(false);
      for (let index = 0; index < indicator.warmUp - 1; index++) {
        const returned = indicator.add(inputs[index]!);
        expect(returned, `add #${index + 1} of warmUp ${indicator.warmUp} returned a value`).toBeUndefined();
        expect(indicator.value, `value after input #${index + 1} of warmUp ${indicator.warmUp}`).toBeUndefined();
        expect(indicator.isStable, `isStable after input #${index + 1} of warmUp ${indicator.warmUp}`).toBe(false);
      }
    });

    it('is stable with a finite value from the warmUp-th input on', () => {
      const indicator = factory();
      for (let index = 0; index < inputs.length; index++) {
        const returned = snapshot(indicator.add(inputs[index]!));
        if (index < indicator.warmUp - 1) continue;
        expect(indicator.isStable, `isStable after input #${index + 1} (warmUp ${indicator.warmUp})`).toBe(true);
        expect(returned, `add #${index + 1} returned nothing after warm-up`).toBeDefined();
        expect(isFiniteValue(returned), `value after input #${index + 1} is ${JSON.stringify(returned)}`).toBe(true);
        expect(snapshot(indicator.value), 'value must equal what add returned').toEqual(returned);
      }
    });

    it('changes nothing when the last input is replaced with itself', () => {
      const expected = addOnly(factory(), inputs);
      const indicator = factory();
      const actual = inputs.map((input) => {
        indicator.add(input);
        const returned = snapshot(indicator.replace(input));
        expect(snapshot(indicator.value), 'value must equal what replace returned').toEqual(returned);
        return returned;
      });
      expect(actual).toEqual(expected);
    });

    it('gives the add-only results when a divergent input is added and then replaced', () => {
      const expected = addOnly(factory(), inputs);
      const indicator = factory();
      const actual = inputs.map((input, index) => {
        indicator.add(divergent(index, 0));
        indicator.replace(divergent(index, 1));
        const returned = snapshot(indicator.replace(input));
        expect(indicator.isStable, `isStable after replace at input #${index + 1}`).toBe(index >= indicator.warmUp - 1);
        return returned;
      });
      expect(actual).toEqual(expected);
    });

    it('treats replace before any add as add', () => {
      const expected = addOnly(factory(), inputs);
      const indicator = factory();
      const actual = inputs.map((input, index) => snapshot(index === 0 ? indicator.replace(input) : indicator.add(input)));
      expect(actual).toEqual(expected);
    });
  });
}

function addOnly<Input, Value>(indicator: Indicator<Input, Value>, inputs: readonly Input[]): unknown[] {
  return inputs.map((input) => snapshot(indicator.add(input)));
}

/** Multi-output indicators reuse one result object, so it must be copied before the next update. */
function snapshot(value: unknown): unknown {
  return typeof value === 'object' && value !== null ? { ...value } : value;
}

function isFiniteValue(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value === 'object' && value !== null) return Object.values(value).every((field) => Number.isFinite(field));
  return false;
}
