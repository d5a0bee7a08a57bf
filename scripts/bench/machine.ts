/** The machine a result was measured on (results are only comparable on the same one). */
import { spawnSync } from 'node:child_process';
import { cpus, platform, release, totalmem } from 'node:os';
import { findDynamoDbLocalJar } from '../../local/dynamodb-local';

export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGb: number;
  readonly os: string;
  readonly node: string;
  readonly java: string;
  readonly dynamodbLocal: string;
}

export function machineInfo(): MachineInfo {
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const javaLine = `${java.stderr ?? ''}${java.stdout ?? ''}`.split('\n')[0]?.trim() ?? 'unknown';
  let dynamodbLocal = 'unknown';
  try {
    dynamodbLocal = findDynamoDbLocalJar().jar.split('/').slice(-2, -1)[0] ?? 'unknown';
  } catch {
    // not installed: the runtime would not have started either
  }
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.version,
    java: javaLine,
    dynamodbLocal,
  };
}
