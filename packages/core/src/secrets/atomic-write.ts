import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes a file so that a reader (or a crash) sees either the old content or the new, never half
 * of it: a private temporary file beside the target, flushed to disk, then renamed over it. The
 * temporary file is created with `mode` from the start, so the content is never readable by others,
 * not even for a moment.
 */
export async function writeFileAtomic(file: string, content: string | Uint8Array, options: { mode?: number; directoryMode?: number } = {}): Promise<void> {
  const mode = options.mode ?? 0o600;
  const folder = dirname(file);
  await mkdir(folder, { recursive: true, ...(options.directoryMode === undefined ? {} : { mode: options.directoryMode }) });
  const temporary = join(folder, `.${basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temporary, 'wx', mode);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => {});
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  // The rename itself is durable only once the folder is flushed; not every platform allows it.
  const directory = await open(folder, 'r').catch(() => undefined);
  if (directory) {
    await directory.sync().catch(() => {});
    await directory.close();
  }
}
