/**
 * The single table, derived from functions/shared/table/layout.ts (the same definition the code builds keys with).
 * On-demand, point-in-time recovery, TTL, a NEW_AND_OLD_IMAGES stream for the outbox relay, one GSI.
 */
import type { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TABLE } from '../../../functions/shared/table/layout';

export interface CommerceTableProps {
  /** RETAIN keeps the data when the stack is deleted (use it for production). */
  readonly removalPolicy: RemovalPolicy;
  readonly deletionProtection: boolean;
}

export class CommerceTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: CommerceTableProps) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: TABLE.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      stream: StreamViewType.NEW_AND_OLD_IMAGES,
      removalPolicy: props.removalPolicy,
      deletionProtection: props.deletionProtection,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: TABLE.gsi1.indexName,
      partitionKey: { name: TABLE.gsi1.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.gsi1.sortKey, type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
  }
}
