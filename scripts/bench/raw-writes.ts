/**
 * The limit: how fast the same DynamoDB Local instance takes conditional PutItem calls at a given concurrency,
 * straight to its endpoint (no proxy, no SDK). The burst goes to a twin of the application table (same keys,
 * indexes and stream) created for the purpose, so the runtime's stream poller does not see it.
 */
import { randomBytes } from 'node:crypto';
import { DynamoRawClient } from '../../local/dynamodb/raw-client';
import { cpuSample, cpuSince } from './cpu';

export interface RawWriteResult {
  readonly concurrency: number;
  readonly writes: number;
  readonly durationMs: number;
  readonly writesPerSecond: number;
  readonly errors: number;
  /** CPU per put: DynamoDB Local's JVM, and this process (the client side of the burst). */
  readonly javaCpuMsPerPut: number | undefined;
  readonly clientCpuMsPerPut: number;
}

interface TableDescription {
  Table?: {
    KeySchema: unknown[];
    AttributeDefinitions: unknown[];
    GlobalSecondaryIndexes?: { IndexName: string; KeySchema: unknown[]; Projection: unknown }[];
    StreamSpecification?: unknown;
  };
}

/** A table shaped like `likeTable`; returns its name and a function that deletes it. */
async function twinTable(db: DynamoRawClient, likeTable: string): Promise<{ name: string; drop: () => Promise<void> }> {
  const described = await db.send<TableDescription>('DynamoDB_20120810.DescribeTable', { TableName: likeTable });
  const table = described.body.Table;
  if (!table) throw new Error(`DescribeTable ${likeTable} answered ${described.status}`);
  const name = `bench-raw-writes-${randomBytes(4).toString('hex')}`;
  const created = await db.send('DynamoDB_20120810.CreateTable', {
    TableName: name,
    KeySchema: table.KeySchema,
    AttributeDefinitions: table.AttributeDefinitions,
    BillingMode: 'PAY_PER_REQUEST',
    ...(table.GlobalSecondaryIndexes?.length
      ? {
          GlobalSecondaryIndexes: table.GlobalSecondaryIndexes.map((i) => ({
            IndexName: i.IndexName,
            KeySchema: i.KeySchema,
            Projection: i.Projection,
          })),
        }
      : {}),
    ...(table.StreamSpecification ? { StreamSpecification: table.StreamSpecification } : {}),
  });
  if (created.status >= 400) throw new Error(`CreateTable ${name}: ${JSON.stringify(created.body)}`);
  return { name, drop: async () => void (await db.send('DynamoDB_20120810.DeleteTable', { TableName: name })) };
}

/** About 400 bytes, like the platform's items (an order, an outbox event). */
const PAYLOAD = 'x'.repeat(360);

async function burst(db: DynamoRawClient, table: string, concurrency: number, writes: number, tag: string) {
  let next = 0;
  let errors = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < writes) {
      const i = next++;
      const out = await db.send('DynamoDB_20120810.PutItem', {
        TableName: table,
        Item: { pk: { S: `RAW#${tag}-${i}` }, sk: { S: 'RAW' }, payload: { S: PAYLOAD }, n: { N: String(i) } },
        ConditionExpression: 'attribute_not_exists(pk)',
      });
      if (out.status >= 400) errors += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { durationMs: performance.now() - started, errors };
}

/**
 * Conditional PutItem bursts into one twin table for the whole session (creating and deleting tables makes
 * DynamoDB Local slower for every later write, so the table is made once): measure between the load runs, so that
 * the ratio of each run compares numbers taken under the same conditions, and close it at the end.
 */
export class RawWriteProbe {
  private rounds = 0;

  private constructor(
    private readonly db: DynamoRawClient,
    private readonly table: string,
    private readonly drop: () => Promise<void>,
    private readonly javaPid: number | undefined,
  ) {}

  static async open(
    endpoint: string,
    likeTable: string,
    maxConcurrency: number,
    javaPid: number | undefined,
  ): Promise<RawWriteProbe> {
    const db = new DynamoRawClient(endpoint, maxConcurrency);
    const twin = await twinTable(db, likeTable);
    const probe = new RawWriteProbe(db, twin.name, twin.drop, javaPid);
    // Warms DynamoDB Local's JIT for this kind of request (the first hundreds of puts are much slower).
    await burst(db, twin.name, Math.min(16, maxConcurrency), 1000, 'warm');
    return probe;
  }

  async measure(concurrency: number, writes: number): Promise<RawWriteResult> {
    const before = cpuSample(this.javaPid);
    const { durationMs, errors } = await burst(this.db, this.table, concurrency, writes, `r${this.rounds++}`);
    const cpu = cpuSince(before, cpuSample(this.javaPid));
    return {
      javaCpuMsPerPut: cpu.javaMs === undefined ? undefined : cpu.javaMs / writes,
      clientCpuMsPerPut: cpu.nodeMs / writes,
      concurrency,
      writes,
      durationMs,
      writesPerSecond: ((writes - errors) / durationMs) * 1000,
      errors,
    };
  }

  async close(): Promise<void> {
    await this.drop().catch(() => undefined);
    this.db.close();
  }
}
