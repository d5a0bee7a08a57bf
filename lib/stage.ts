/** The stage a deployment belongs to (context `stage`), so several stages can live in one account. */
export interface StageConfig {
  readonly name: string;
  readonly isProduction: boolean;
  /** Where alarms send e-mail (context `alarmEmail`). */
  readonly alarmEmail?: string;
}

const STAGE_NAME = /^[a-z][a-z0-9-]{1,15}$/;

export function stageFromContext(tryGetContext: (key: string) => unknown): StageConfig {
  const name = String(tryGetContext('stage') ?? 'dev');
  if (!STAGE_NAME.test(name)) {
    throw new Error(
      `Context 'stage' must match ${STAGE_NAME} (it prefixes resource names), got '${name}'. Example: cdk deploy -c stage=staging`,
    );
  }
  const alarmEmail = tryGetContext('alarmEmail');
  return {
    name,
    isProduction: name === 'prod',
    ...(typeof alarmEmail === 'string' && alarmEmail ? { alarmEmail } : {}),
  };
}

export const stackNames = (stage: string) => ({
  stateful: `Commerce-${stage}-Stateful`,
  stateless: `Commerce-${stage}-Stateless`,
});
