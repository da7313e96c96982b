// The machine and software a result was measured on, printed at the top of every benchmark.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import sharp from 'sharp';
import { repoRoot } from './server.js';

export type MachineInfo = {
  date: string;
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  sharp: string;
  libvips: string;
  sharpConcurrency: number;
  uvThreadpoolSize: string;
  gitCommit: string;
};

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

export function machineInfo(): MachineInfo {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpuModel;
  } catch {
    // not Linux: keep what os.cpus() said
  }
  const commit = git(['rev-parse', '--short', 'HEAD']);
  const dirty = git(['status', '--porcelain']) !== '' ? ' + uncommitted changes' : '';
  return {
    date: new Date().toISOString(),
    cpuModel,
    cores: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    sharp: sharp.versions.sharp ?? 'unknown',
    libvips: sharp.versions.vips,
    sharpConcurrency: sharp.concurrency(),
    uvThreadpoolSize: process.env.UV_THREADPOOL_SIZE ?? '4 (default)',
    gitCommit: `${commit}${dirty}`,
  };
}

export function printMachine(info = machineInfo()): MachineInfo {
  console.log(`machine: ${info.cpuModel}, ${info.cores} cores, ${info.memoryGiB} GiB, ${info.kernel}`);
  console.log(
    `software: Node ${info.node}, sharp ${info.sharp}, libvips ${info.libvips} (sharp concurrency ${info.sharpConcurrency}, ` +
      `UV_THREADPOOL_SIZE ${info.uvThreadpoolSize}), commit ${info.gitCommit}, ${info.date}`,
  );
  return info;
}
