// Money arithmetic: @kbot/core's word arithmetic (decimal-arithmetic.ts) against decimal.js's own
// methods on the same operands, in the same run. Before timing, every result is checked to be the
// same Decimal (sign, exponent and digit words) as decimal.js's, so a faster wrong answer fails.
import { Decimal, decimalDividedBy, decimalFromNumber, decimalFromText, decimalMinus, decimalPlus, decimalTimes, decimalToPlaces } from '@kbot/core';
import { seededRandom } from './book-fixture.mjs';
import { describe, log, measure, row } from './harness.mjs';

export const name = 'decimal';
export const description = "money arithmetic on decimal.js's digit words (kbot) vs decimal.js's own methods, on a fill's amounts";

const PAIRS = 1_000;
const ROUNDS = 300;

/** What a fill's arithmetic works on: quantities (8 places), prices (1 place), balances and costs (9 places). */
function operands() {
  const random = seededRandom(2026);
  const quantity = [];
  const price = [];
  const balance = [];
  const priceNumber = [];
  const priceText = [];
  for (let index = 0; index < PAIRS; index++) {
    quantity.push(new Decimal((0.001 + random() * 2).toFixed(8)));
    const p = (20_000 + random() * 40_000).toFixed(1);
    price.push(new Decimal(p));
    priceText.push(p);
    priceNumber.push(Number(p));
    balance.push(new Decimal((random() * 50_000).toFixed(9)));
  }
  const cost = quantity.map((q, index) => q.times(price[index]));
  return { quantity, price, balance, cost, priceNumber, priceText };
}

const parts = (value) => `${value.s}|${value.e}|${value.d?.join(',')}|${value.constructor === Decimal}`;

/** Each case: decimal.js's way and kbot's, over the same operand index. */
function cases(o) {
  const HALF_UP = Decimal.ROUND_HALF_UP;
  return [
    ['plus', (i) => o.balance[i].plus(o.cost[i]), (i) => decimalPlus(o.balance[i], o.cost[i])],
    ['minus', (i) => o.balance[i].minus(o.cost[i]), (i) => decimalMinus(o.balance[i], o.cost[i])],
    ['times', (i) => o.quantity[i].times(o.price[i]), (i) => decimalTimes(o.quantity[i], o.price[i])],
    ['divided-by', (i) => o.cost[i].dividedBy(o.quantity[(i + 1) % PAIRS]), (i) => decimalDividedBy(o.cost[i], o.quantity[(i + 1) % PAIRS])],
    ['to-places', (i) => o.balance[i].toDecimalPlaces(4, HALF_UP), (i) => decimalToPlaces(o.balance[i], 4, HALF_UP)],
    ['from-number', (i) => new Decimal(o.priceNumber[i]), (i) => decimalFromNumber(o.priceNumber[i])],
    ['from-text', (i) => new Decimal(o.priceText[i]), (i) => decimalFromText(o.priceText[i])],
  ];
}

function loop(operation) {
  let last;
  for (let round = 0; round < ROUNDS; round++) for (let index = 0; index < PAIRS; index++) last = operation(index);
  return last;
}

export async function run() {
  const o = operands();
  const rows = [];
  for (const [label, reference, kbot] of cases(o)) {
    for (let index = 0; index < PAIRS; index++) {
      const expected = parts(reference(index));
      const got = parts(kbot(index));
      if (got !== expected) throw new Error(`decimal ${label}: operand ${index} gave ${got}, decimal.js ${expected}`);
    }
    const operations = PAIRS * ROUNDS;
    const referenceTime = await measure(() => loop(reference), { warmup: 2, runs: 5 });
    log(describe(`decimal ${label}: decimal.js`, referenceTime));
    const kbotTime = await measure(() => loop(kbot), { warmup: 2, runs: 5 });
    log(describe(`decimal ${label}: kbot`, kbotTime));
    const referenceName = `decimal.${label}-decimaljs`;
    const referenceRate = operations / referenceTime.median;
    rows.push(row({ name: referenceName, value: referenceRate, unit: 'ops/s' }));
    rows.push(row({ name: `decimal.${label}`, value: operations / kbotTime.median, unit: 'ops/s', baseline: referenceName, baselineValue: referenceRate }));
  }
  return rows;
}
