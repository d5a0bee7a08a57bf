/**
 * Synthesizes the CDK app the way `cdk synth` does (bin/app.ts: the stage comes from context, cdk.json's feature
 * flags apply), with bundling skipped, once per stage and test file.
 *
 * CDK's built-in CloudFormation validation (a WASM rule engine, ~3 s per process) is off here and on in
 * nag.test.ts, which proves the template passes it together with cdk-nag.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { buildCommerceApp, type CommerceStacks } from '../../lib/app';
import { type StageConfig, stageFromContext } from '../../lib/stage';

export interface SynthesizedStage {
  readonly stage: StageConfig;
  readonly app: App;
  readonly stacks: CommerceStacks;
  readonly stateful: Template;
  readonly stateless: Template;
}

/** The context of cdk.json (feature flags): the template under test is the one `cdk synth` writes. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

export interface TestAppOptions {
  /** Run CDK's built-in CloudFormation validation on synth. @default false */
  readonly cfnValidation?: boolean;
}

/** A fresh App with cdk.json's context, the given extra context and bundling skipped. */
export function testApp(context: Record<string, unknown> = {}, options: TestAppOptions = {}): App {
  return new App({
    context: { ...cdkJsonContext(), ...context, 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: options.cfnValidation ?? false,
  });
}

/** Builds one stage into a fresh app, as bin/app.ts does, without synthesizing it. */
export function buildStage(
  context: Record<string, unknown>,
  options: TestAppOptions = {},
): { app: App; stage: StageConfig; stacks: CommerceStacks } {
  const app = testApp(context, options);
  const stage = stageFromContext((key) => app.node.tryGetContext(key));
  return { app, stage, stacks: buildCommerceApp(app, stage) };
}

const cache = new Map<string, SynthesizedStage>();

/** The synthesized templates of one stage (cached: each stage is synthesized once per test file). */
export function synthStage(stageName = 'dev', extraContext: Record<string, unknown> = {}): SynthesizedStage {
  const key = JSON.stringify([stageName, extraContext]);
  const cached = cache.get(key);
  if (cached) return cached;
  const { app, stage, stacks } = buildStage({ ...extraContext, stage: stageName });
  app.synth();
  const synthesized: SynthesizedStage = {
    stage,
    app,
    stacks,
    stateful: Template.fromStack(stacks.stateful),
    stateless: Template.fromStack(stacks.stateless),
  };
  cache.set(key, synthesized);
  return synthesized;
}

/** The logical id of a construct's CloudFormation resource (its default child, or the construct itself). */
export function logicalIdOf(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return Stack.of(element).getLogicalId(element);
}
