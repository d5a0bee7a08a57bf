/**
 * THE published AWS prices the cost estimate uses: us-east-1, on-demand, no free tier, first pricing tier.
 * Update them here (and only here) with the date and the source page when AWS changes a price.
 */

export const PRICES = {
  region: 'us-east-1',
  /** When these values were last checked against the sources below. */
  checkedOn: '2026-11-22',
  lambda: {
    /** Per request (invocation). */
    request: 0.2 / 1e6,
    /** Per GB-second on arm64 (Graviton), first tier (7.5 billion GB-s per month). */
    arm64GbSecond: 0.0000133334,
    source: 'https://aws.amazon.com/lambda/pricing/',
  },
  dynamodb: {
    /** On-demand, Standard table class (after the 50% cut of 1 November 2024). */
    writeRequestUnit: 0.625 / 1e6,
    readRequestUnit: 0.125 / 1e6,
    /** Streams read by a Lambda event source mapping are free. */
    streamReadByLambda: 0,
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    rules: 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html',
  },
  eventbridge: {
    /** Custom events put on a bus (each 64 KB chunk); AWS service events (Step Functions status changes) are free. */
    customEvent: 1.0 / 1e6,
    /** Events archived, per GB processed, and archive storage per GB-month. */
    archivePerGb: 0.1,
    archiveStoragePerGbMonth: 0.023,
    source: 'https://aws.amazon.com/eventbridge/pricing/',
  },
  stepFunctions: {
    /** STANDARD: per state transition ($0.025 per 1,000), retries included. */
    standardTransition: 0.025 / 1000,
    /** EXPRESS: per execution, and per GB-second (billed per 100 ms and per 64 MB of memory), first tier. */
    expressRequest: 1.0 / 1e6,
    expressGbSecond: 0.00001667,
    source: 'https://aws.amazon.com/step-functions/pricing/',
  },
  apiGateway: {
    /** HTTP API, first 300 million requests per month (each 512 KB). */
    httpRequest: 1.0 / 1e6,
    source: 'https://aws.amazon.com/api-gateway/pricing/',
  },
  sqs: {
    /** Standard queues; only the dead-letter queues use SQS, none is on the hot path. */
    request: 0.4 / 1e6,
    source: 'https://aws.amazon.com/sqs/pricing/',
  },
  cloudwatchLogs: {
    /** Ingestion, Standard class (Lambda, API Gateway access and Step Functions logs; first tier of vended logs). */
    ingestionPerGb: 0.5,
    source: 'https://aws.amazon.com/cloudwatch/pricing/',
  },
  xray: {
    /** Traces recorded. */
    tracePerRecorded: 5.0 / 1e6,
    /** The default sampling rule: the first request each second, then 5% (at volume, about 5%). */
    defaultSamplingRate: 0.05,
    source: 'https://aws.amazon.com/xray/pricing/',
  },
} as const;

/**
 * Assumptions that are not prices (kept beside them so the estimate has one place to read).
 * Each one says why it has this value.
 */
export const ASSUMPTIONS = {
  /** Lambda's own log lines per invocation (platform.start / platform.report in JSON), bytes. */
  lambdaPlatformLogBytesPerInvocation: 450,
  /** One JSON access log line of the HTTP API stage (the format in lib/constructs/api), bytes. */
  apiAccessLogBytesPerRequest: 300,
  /**
   * Share of invocations that are cold starts (Lambda bills the init phase since August 2025). Under steady load
   * environments are reused; 1% is a deliberately generous value for spiky traffic.
   */
  coldStartRate: 0.01,
  /** Express workflows: memory billed in 64 MB chunks; a saga this small fits in one. */
  expressMemoryGb: 64 / 1024,
  /** New traces per checkout: the API request, and each stream batch of the relay (EventBridge and Step Functions carry the trace on). */
  traceRootsPerApiRequest: 1,
} as const;
