// A housekeeping task run now and then every `intervalMs`, one run at a time. The timer is unref'd: it never
// keeps a process alive. stop() cancels the next run and waits for the current one.
export type Periodic = { stop(): Promise<void> };

/** `task` must not throw (it is housekeeping: log and carry on); a throw is swallowed. */
export function startPeriodic(task: () => Promise<void>, intervalMs: number): Periodic {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const run = () => {
    running = task()
      .catch(() => undefined)
      .finally(() => {
        if (!stopped) timer = setTimeout(run, intervalMs).unref();
      });
  };
  run();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
