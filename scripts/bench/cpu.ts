/**
 * CPU time spent by this process (the runtime: API, engines, the counting proxy and every function's worker
 * thread) and by DynamoDB Local's JVM, so that a run can say where its two cores went.
 */
import { readFileSync } from 'node:fs';
import { type EventLoopUtilization, performance } from 'node:perf_hooks';

/** utime + stime of a process (or of one thread: `pid/task/tid`) in milliseconds (Linux /proc; undefined elsewhere). */
function processCpuMs(pid: number | string): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat (utime, stime), counted from after the command name: indexes 11 and 12. Ticks of 10 ms.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

export interface CpuSample {
  readonly nodeMs: number;
  readonly mainThreadMs: number | undefined;
  readonly javaMs: number | undefined;
  readonly elu: EventLoopUtilization;
  readonly at: number;
}

export interface CpuUsage {
  /** This process, all threads (ms of CPU). */
  readonly nodeMs: number;
  /** Of which the main thread: the runtime itself (API, proxy, engines, polling), without the functions' workers. */
  readonly mainThreadMs: number | undefined;
  readonly javaMs: number | undefined;
  readonly wallMs: number;
  /** Main thread event-loop utilization (0..1): near 1 means the runtime's own thread is the bottleneck. */
  readonly mainThreadUtilization: number;
}

export function cpuSample(javaPid: number | undefined): CpuSample {
  const usage = process.cpuUsage();
  return {
    nodeMs: (usage.user + usage.system) / 1000,
    mainThreadMs: processCpuMs(`${process.pid}/task/${process.pid}`),
    javaMs: javaPid === undefined ? undefined : processCpuMs(javaPid),
    elu: performance.eventLoopUtilization(),
    at: performance.now(),
  };
}

export function cpuSince(start: CpuSample, end: CpuSample): CpuUsage {
  return {
    nodeMs: end.nodeMs - start.nodeMs,
    mainThreadMs:
      start.mainThreadMs === undefined || end.mainThreadMs === undefined
        ? undefined
        : end.mainThreadMs - start.mainThreadMs,
    javaMs: start.javaMs === undefined || end.javaMs === undefined ? undefined : end.javaMs - start.javaMs,
    wallMs: end.at - start.at,
    mainThreadUtilization: performance.eventLoopUtilization(end.elu, start.elu).utilization,
  };
}
