#!/usr/bin/env node
/**
 * The CDK app: `npx cdk synth|deploy|destroy [-c stage=<name>] [-c alarmEmail=<address>]`.
 * Two stacks per stage: Commerce-<stage>-Stateful (data) and Commerce-<stage>-Stateless (code and wiring).
 */
import { App } from 'aws-cdk-lib';
import { buildCommerceApp } from '../lib/app';
import { stageFromContext } from '../lib/stage';

const app = new App();
const stage = stageFromContext((key) => app.node.tryGetContext(key));
buildCommerceApp(app, stage, {
  account: process.env.CDK_DEFAULT_ACCOUNT,
  region: process.env.CDK_DEFAULT_REGION,
});
app.synth();
