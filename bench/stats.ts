import { readFileSync } from "node:fs";

/** The middle value (the upper one of an even count): what every bench row reports. */
export const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** The machine's CPU ticks so far, all and stolen (the "steal" column of /proc/stat), or undefined off Linux. */
function cpuTicks(): { all: number; stolen: number } | undefined {
  try {
    const ticks = readFileSync("/proc/stat", "utf8")
      .split("\n")[0]
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    return { all: ticks.reduce((sum, value) => sum + value, 0), stolen: ticks[7] ?? 0 };
  } catch {
    return undefined;
  }
}

/**
 * Starts counting the share of both cores that the host of this virtual machine gave to others
 * (steal time): on a shared machine it moves wall times by tens of percent, so rows print it.
 * The returned function gives the share since the start, or undefined where /proc/stat is not.
 */
export function stealMeter(): () => number | undefined {
  const before = cpuTicks();
  return () => {
    const after = cpuTicks();
    if (!before || !after || after.all === before.all) return undefined;
    return (after.stolen - before.stolen) / (after.all - before.all);
  };
}

/** "host steal 3 to 41 %" over some runs' shares, or "" when none was measured. */
export function stealRange(shares: (number | undefined)[]): string {
  const known = shares.filter((share): share is number => share !== undefined);
  if (known.length === 0) return "";
  const percent = (share: number) => Math.round(share * 100);
  const [low, high] = [Math.min(...known), Math.max(...known)].map(percent);
  return `host steal ${low === high ? low : `${low} to ${high}`} %`;
}
