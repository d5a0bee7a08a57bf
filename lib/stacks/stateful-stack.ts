/**
 * What holds data and must outlive deployments of code: the table, the event bus with its archive, the DLQs, and the
 * schema registry that describes the events on the bus.
 */
import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { CommerceTable } from '../constructs/data/commerce-table';
import { CommerceBus } from '../constructs/events/commerce-bus';
import { DeadLetterQueues } from '../constructs/events/dead-letter-queues';
import { EventSchemas } from '../constructs/events/event-schemas';
import { type StageConfig, stackNames } from '../stage';

export interface StatefulStackProps extends StackProps {
  readonly stage: StageConfig;
}

export class StatefulStack extends Stack {
  readonly table: CommerceTable['table'];
  readonly bus: CommerceBus['bus'];
  readonly deadLetterQueues: DeadLetterQueues['queues'];
  readonly eventSchemas: EventSchemas;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const removalPolicy = props.stage.isProduction ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.table = new CommerceTable(this, 'Data', { removalPolicy, deletionProtection: props.stage.isProduction }).table;
    const busName = `commerce-${props.stage.name}`;
    this.bus = new CommerceBus(this, 'Events', { busName }).bus;
    this.deadLetterQueues = new DeadLetterQueues(this, 'DeadLetters', {
      removalPolicy,
      busName,
      defaultBusRulePrefix: stackNames(props.stage.name).stateless,
    }).queues;
    this.eventSchemas = new EventSchemas(this, 'EventSchemas', { registryName: busName });
  }
}
