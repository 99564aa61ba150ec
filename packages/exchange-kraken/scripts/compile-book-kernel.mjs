// The book kernel's compilation, shared by build-book-kernel.mjs and the test that checks the
// committed module is up to date. Options fixed here so both always compile the same bytes.
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));

/** The kernel as WebAssembly bytes; throws with the compiler's messages when it does not compile. */
export async function compileBookKernel() {
  let binary;
  const messages = [];
  const { error } = await asc.main(
    [
      'assembly/book-kernel.ts',
      '--outFile', 'book-kernel.wasm',
      '--optimizeLevel', '3',
      '--shrinkLevel', '0',
      '--converge',
      '--noAssert',
      // TLSF heap with free (sides come and go); nothing is garbage collected.
      '--runtime', 'minimal',
      '--baseDir', packageRoot,
    ],
    {
      writeFile(name, contents) {
        if (name.endsWith('.wasm')) binary = contents;
      },
      stdout: { write: (text) => messages.push(String(text)) },
      stderr: { write: (text) => messages.push(String(text)) },
    },
  );
  if (error || binary === undefined) throw new Error(`book kernel: compilation failed: ${error?.message ?? 'no output'}\n${messages.join('')}`);
  return binary;
}
