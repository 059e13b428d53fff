// A progress bar on stderr for large histories (only on a terminal; pipes and CI stay quiet).
import { SingleBar } from 'cli-progress';

const MIN_BYTES = 50 * 1024 * 1024;

export interface Progress {
  plan(totalBytes: number, files: number): void;
  add(bytes: number): void;
  stop(): void;
}

export function progressBar(enabled: boolean): Progress {
  let bar: SingleBar | undefined;
  return {
    plan(totalBytes, files) {
      if (!enabled || !process.stderr.isTTY || totalBytes < MIN_BYTES) return;
      bar = new SingleBar({
        stream: process.stderr,
        format: 'reading {files} files [{bar}] {percentage}% | {value}/{total} MB | eta {eta}s',
      });
      bar.start(Math.ceil(totalBytes / 1048576), 0, { files });
    },
    add(bytes) {
      bar?.increment(bytes / 1048576);
    },
    stop() {
      bar?.stop();
    },
  };
}
