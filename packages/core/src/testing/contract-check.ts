import { describe, it } from 'vitest';

/** Marks the current check as not applicable (it throws, like vitest's `ctx.skip`). */
export type SkipCheck = (note: string) => never;

/**
 * One rule of a contract. Checks are plain functions that throw (through `expect`) when the
 * implementation breaks the rule, so a contract can be registered as vitest tests and also be
 * run directly against a deliberately broken implementation to prove the rule can fail.
 */
export interface ContractCheck {
  readonly name: string;
  run(skip: SkipCheck): void | Promise<void>;
}

/** Registers one vitest test per check, inside `describe(title)`. */
export function registerContract(title: string, checks: readonly ContractCheck[]): void {
  describe(title, () => {
    for (const check of checks) {
      it(check.name, async (context) => {
        await check.run((note) => context.skip(note));
      });
    }
  });
}

/** Thrown by `runContractCheck`'s skip, so callers can tell a skipped check from a failed one. */
export class ContractCheckSkipped extends Error {}

/** Runs one check by name outside vitest's registry (tests of the contracts themselves). */
export async function runContractCheck(checks: readonly ContractCheck[], name: string): Promise<void> {
  const check = checks.find((candidate) => candidate.name === name);
  if (!check) throw new Error(`no contract check named ${JSON.stringify(name)}; there are: ${checks.map((candidate) => candidate.name).join('; ')}`);
  await check.run((note) => {
    throw new ContractCheckSkipped(note);
  });
}
