/**
 * The fast subset of `npm run chaos`, run by `npm test`: the same scenario code (scripts/chaos/), fewer orders, a
 * deadline per scenario. Each scenario starts its own runtime as a child process on fresh data and checks every
 * invariant of docs/chaos.md; a failure prints the scenario's details and where its data and runtime log were kept.
 *
 * CHAOS_ORDERS and CHAOS_SEED change the load (defaults: 20 orders, seed 7). Measured here (2 cores shared with
 * another workload): the eight scenarios took 500 s at 40 orders each and 395 s at 20, most of it the fixed cost of
 * a scenario (a runtime started and stopped, the saga's retry backoffs to wait out), so 20 it is.
 */
import { prepareCloudAssembly } from '../../scripts/chaos/cloud-assembly';
import { formatDetails } from '../../scripts/chaos/report';
import { runScenario } from '../../scripts/chaos/run-scenario';
import { SCENARIOS } from '../../scripts/chaos/scenarios';

const ORDERS = Number(process.env.CHAOS_ORDERS ?? 20);
const SEED = Number(process.env.CHAOS_SEED ?? 7);
/** How long a scenario may take to settle after its load, and in all (start, load, settle, checks, stop). */
const SETTLE_MS = 60_000;
const SCENARIO_DEADLINE_MS = 150_000;

beforeAll(async () => {
  await prepareCloudAssembly(process.cwd());
}, 300_000);

describe('chaos (fast subset of npm run chaos)', () => {
  it.each(SCENARIOS.filter((s) => s.ci).map((s) => [s.name, s] as const))(
    '%s: every invariant holds',
    async (_name, scenario) => {
      const result = await runScenario(scenario, {
        orders: ORDERS,
        seed: SEED,
        projectDir: process.cwd(),
        settleTimeoutMs: SETTLE_MS,
        // Leaves room for the snapshot, the checks and the stop before jest's own timeout.
        deadlineMs: SCENARIO_DEADLINE_MS - 25_000,
      });
      if (result.violations.length > 0) throw new Error(formatDetails(result));
      expect(result.accepted).toBe(ORDERS);
      expect(result.confirmed + result.cancelled).toBe(ORDERS);
    },
    SCENARIO_DEADLINE_MS,
  );
});
