/** What a write to a pipe whose reader has gone reports: the pipe itself, then every later write. */
const CLOSED_PIPE_CODES = new Set(['EPIPE', 'ERR_STREAM_DESTROYED']);

/**
 * A reader that closed its end (`kbot report --json | head -1`) has what it wanted: what is
 * written after that is dropped, instead of the 'error' event ending the process with a stack
 * trace. The command goes on to its end and its exit code; a running bot whose output nobody
 * reads any more goes on trading and journaling. Any other stream error still ends the process.
 */
export function ignoreClosedPipes(...streams: NodeJS.WritableStream[]): void {
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (!CLOSED_PIPE_CODES.has(error.code ?? '')) throw error;
    });
  }
}
