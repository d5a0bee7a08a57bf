/** Schemas of the AWS service events the platform consumes (they are not ours, so they are not in the catalog). */
import * as z from 'zod';

export const STEP_FUNCTIONS_STATUS_CHANGE = {
  source: 'aws.states',
  detailType: 'Step Functions Execution Status Change',
  /** The statuses that need an operator (or the reconciler). */
  failedStatuses: ['FAILED', 'TIMED_OUT', 'ABORTED'] as const,
};

export const executionStatusChangeDetail = z.object({
  executionArn: z.string(),
  stateMachineArn: z.string(),
  name: z.string(),
  status: z.enum(STEP_FUNCTIONS_STATUS_CHANGE.failedStatuses),
  error: z.string().nullish(),
  cause: z.string().nullish(),
});
