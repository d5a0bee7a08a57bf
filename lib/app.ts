/** Builds the two stacks of one stage into an app (used by bin/app.ts and by the infra tests). */
import type { App, Environment } from 'aws-cdk-lib';
import { StatefulStack } from './stacks/stateful-stack';
import { StatelessStack } from './stacks/stateless-stack';
import { type StageConfig, stackNames } from './stage';

export interface CommerceStacks {
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
}

export function buildCommerceApp(app: App, stage: StageConfig, env?: Environment): CommerceStacks {
  const names = stackNames(stage.name);
  const tags = { project: 'serverless-commerce', stage: stage.name };
  const stateful = new StatefulStack(app, names.stateful, {
    stage,
    env,
    tags,
    description: `Commerce platform (${stage.name}): table, event bus, archive, dead-letter queues, schema registry`,
    terminationProtection: stage.isProduction,
  });
  const stateless = new StatelessStack(app, names.stateless, {
    stage,
    env,
    tags,
    description: `Commerce platform (${stage.name}): functions, checkout saga, HTTP API, rules, alarms`,
    table: stateful.table,
    bus: stateful.bus,
    deadLetterQueues: stateful.deadLetterQueues,
  });
  stateless.addStackDependency(stateful);
  return { stateful, stateless };
}
