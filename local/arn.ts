/** ARN parsing helpers shared by the services (names come in as names, full ARNs or partial ARNs). */

export interface ParsedArn {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  /** Everything after the account, e.g. `function:my-fn` or `table/t/stream/2024`. */
  readonly resource: string;
}

export function parseArn(arn: string): ParsedArn | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const [, partition = '', service = '', region = '', account = ''] = parts;
  return { partition, service, region, account, resource: parts.slice(5).join(':') };
}

/** `my-fn`, `my-fn:qualifier`, `arn:...:function:my-fn[:qualifier]`, `000000000000:function:my-fn` → `my-fn`. */
export function functionNameFrom(nameOrArn: string): string {
  const match = /(?:^|:)function:([^:]+)/.exec(nameOrArn);
  if (match?.[1]) return match[1];
  return nameOrArn.split(':')[0] ?? nameOrArn;
}

/** The last path segment of an ARN resource (`event-bus/x` → `x`, `queue-name` → `queue-name`). */
export function lastSegment(arn: string): string {
  const parsed = parseArn(arn);
  const resource = parsed ? parsed.resource : arn;
  const slash = resource.split('/');
  const tail = slash[slash.length - 1] ?? resource;
  const colon = tail.split(':');
  return colon[colon.length - 1] ?? tail;
}

/** The service part of an ARN (`lambda`, `sqs`, `states`, `events`, ...), or undefined for a non-ARN. */
export function arnService(arn: string): string | undefined {
  return parseArn(arn)?.service;
}
