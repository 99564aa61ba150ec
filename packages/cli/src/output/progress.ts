import { SingleBar, Presets } from 'cli-progress';

export interface Progress {
  update(done: number): void;
  stop(): void;
}

const NO_PROGRESS: Progress = { update() {}, stop() {} };

/**
 * A progress bar on stderr (cli-progress: redraws in place, throttled, and knows terminals),
 * shown only to people: not with --json, not when stderr is not a terminal.
 */
export function createProgress(total: number, options: { enabled: boolean; label: string }): Progress {
  if (!options.enabled || !process.stderr.isTTY || total <= 0) return NO_PROGRESS;
  const bar = new SingleBar(
    { format: `${options.label} [{bar}] {percentage}% | {value}/{total} bars | {eta_formatted} left`, stream: process.stderr, hideCursor: true, fps: 10 },
    Presets.shades_classic,
  );
  bar.start(total, 0);
  return {
    update: (done) => bar.update(Math.min(done, total)),
    stop: () => {
      bar.update(total);
      bar.stop();
    },
  };
}
