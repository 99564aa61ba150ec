import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

// `@kbot/source` makes sibling packages resolve to their src/, so tests need no build first.
const conditions = ['@kbot/source', 'module', 'node', 'development|production'];

// Real market data lives beside the repository (../shared/data); tests that need it skip when it is absent.
const sharedData = process.env.KBOT_SHARED_DATA ?? resolve(import.meta.dirname, '../shared/data');

export default defineConfig({
  // Vite 8's Oxc transform emits decorator metadata, which tsyringe needs for class-typed parameters.
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    reporters: ['default', './scripts/closing-line-reporter.ts'],
    testTimeout: 30_000,
    env: { KBOT_SHARED_DATA: existsSync(sharedData) ? sharedData : '' },
    // Inline projects with `extends: true` inherit the oxc and resolve settings above; globbed ones do not.
    projects: [
      ...readdirSync('packages').map((name) => ({
        extends: true as const,
        test: { name, include: [`packages/${name}/src/**/*.test.ts`] },
      })),
      { extends: true as const, test: { name: 'examples', include: ['examples/*/**/*.test.ts'], exclude: ['**/node_modules/**'] } },
    ],
  },
});
