/**
 * What the estimate reads from the synthesized template (cdk.out), not from assumptions: each function's memory
 * and architecture, the state machine's type and logging level, whether the bus has an archive.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TemplateFacts {
  /** Function logical id without its hash suffix (e.g. `OrdersPlaceOrder`) -> memory in MB and architecture. */
  readonly functions: Record<string, { readonly memoryMb: number; readonly architecture: string }>;
  readonly stateMachine:
    | { readonly type: string; readonly logLevel: string; readonly includesData: boolean }
    | undefined;
  readonly archive: boolean;
  readonly apiAccessLogs: boolean;
}

interface Resource {
  Type: string;
  Properties?: Record<string, unknown>;
}

export function templateFacts(cdkOut: string): TemplateFacts {
  const facts: {
    functions: TemplateFacts['functions'];
    stateMachine: TemplateFacts['stateMachine'];
    archive: boolean;
    apiAccessLogs: boolean;
  } = { functions: {}, stateMachine: undefined, archive: false, apiAccessLogs: false };
  for (const file of readdirSync(cdkOut).filter((f) => f.endsWith('.template.json'))) {
    const template = JSON.parse(readFileSync(join(cdkOut, file), 'utf8')) as { Resources?: Record<string, Resource> };
    for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
      const p = resource.Properties ?? {};
      if (resource.Type === 'AWS::Lambda::Function') {
        facts.functions[logicalId.replace(/[0-9A-F]{8}$/, '')] = {
          memoryMb: Number(p.MemorySize ?? 128),
          architecture: ((p.Architectures as string[] | undefined) ?? ['x86_64'])[0] ?? 'x86_64',
        };
      } else if (resource.Type === 'AWS::StepFunctions::StateMachine') {
        const logging = p.LoggingConfiguration as { Level?: string; IncludeExecutionData?: boolean } | undefined;
        facts.stateMachine = {
          type: String(p.StateMachineType ?? 'STANDARD'),
          logLevel: logging?.Level ?? 'OFF',
          includesData: logging?.IncludeExecutionData === true,
        };
      } else if (resource.Type === 'AWS::Events::Archive') {
        facts.archive = true;
      } else if (resource.Type === 'AWS::ApiGatewayV2::Stage' && p.AccessLogSettings) {
        facts.apiAccessLogs = true;
      }
    }
  }
  return facts;
}
