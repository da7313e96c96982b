// Progress bars on stderr (cli-progress): one per file in flight plus an overall one, only when stderr is a
// terminal. Otherwise a no-op, so scripts and CI logs get clean output.
import cliProgress from 'cli-progress';
import { formatBytes } from './output.js';

export type FileBar = { update(sent: number): void; done(): void };
export type Progress = { file(name: string, size: number): FileBar; log(line: string): void; stop(): void };

export function createProgress(enabled: boolean, totalBytes: number, fileCount: number): Progress {
  if (!enabled) {
    return { file: () => ({ update: () => undefined, done: () => undefined }), log: (line) => process.stderr.write(`${line}\n`), stop: () => undefined };
  }
  const multi = new cliProgress.MultiBar(
    {
      stream: process.stderr,
      format: ' {bar} {percentage}% | {name} | {sentText}/{totalText}',
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      autopadding: true,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  const overall = multi.create(Math.max(1, totalBytes), 0, { name: `all ${fileCount} files`, sentText: formatBytes(0), totalText: formatBytes(totalBytes) });
  const sentBy = new Map<object, number>();
  const total = () => [...sentBy.values()].reduce((a, b) => a + b, 0);
  return {
    file(name, size) {
      const bar = multi.create(Math.max(1, size), 0, { name, sentText: formatBytes(0), totalText: formatBytes(size) });
      const id = {};
      sentBy.set(id, 0);
      const update = (sent: number) => {
        sentBy.set(id, sent);
        bar.update(Math.min(sent, Math.max(1, size)), { sentText: formatBytes(sent) });
        const t = total();
        overall.update(Math.min(t, Math.max(1, totalBytes)), { sentText: formatBytes(t) });
      };
      return {
        update,
        done() {
          update(size);
          multi.remove(bar);
        },
      };
    },
    log: (line) => multi.log(`${line}\n`),
    stop: () => multi.stop(),
  };
}
