/** The time source; tests pass their own to move time forward. */
export type Clock = { now(): number };

export const systemClock: Clock = { now: () => Date.now() };

export const toIso = (ms: number): string => new Date(ms).toISOString();
