/**
 * Reads a CDK cloud assembly (cdk.out): every CloudFormation stack in manifest.json, including stacks of
 * nested assemblies (CDK Stages), with the directory their asset paths are relative to.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
  readonly Condition?: string;
}

export interface CfnOutput {
  readonly Value: unknown;
  readonly Export?: { readonly Name: unknown };
  readonly Condition?: string;
}

export interface CfnParameter {
  readonly Type: string;
  readonly Default?: unknown;
}

export interface CfnTemplate {
  readonly Resources?: Record<string, CfnResource>;
  readonly Outputs?: Record<string, CfnOutput>;
  readonly Parameters?: Record<string, CfnParameter>;
  readonly Conditions?: Record<string, unknown>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
}

export interface StackTemplate {
  /** The deployed stack name (CloudFormation `AWS::StackName`). */
  readonly stackName: string;
  /** The artifact id in the manifest (usually the same as the stack name). */
  readonly artifactId: string;
  readonly template: CfnTemplate;
  /** The assembly directory: `aws:asset:path` metadata is relative to it. */
  readonly assemblyDir: string;
}

interface ManifestArtifact {
  type: string;
  displayName?: string;
  properties?: { templateFile?: string; stackName?: string; directoryName?: string };
}

export class AssemblyError extends Error {
  override name = 'AssemblyError';
}

/** Loads every CloudFormation stack of the assembly in `dir`, in manifest order. */
export function loadCloudAssembly(dir: string): StackTemplate[] {
  const assemblyDir = resolve(dir);
  const manifestFile = join(assemblyDir, 'manifest.json');
  if (!existsSync(manifestFile)) {
    throw new AssemblyError(
      `No cloud assembly at ${assemblyDir} (manifest.json is missing). Run 'npx cdk synth' first.`,
    );
  }
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { artifacts?: Record<string, ManifestArtifact> };
  const stacks: StackTemplate[] = [];
  for (const [artifactId, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type === 'aws:cloudformation:stack' && artifact.properties?.templateFile) {
      const template = JSON.parse(
        readFileSync(join(assemblyDir, artifact.properties.templateFile), 'utf8'),
      ) as CfnTemplate;
      stacks.push({ stackName: artifact.properties.stackName ?? artifactId, artifactId, template, assemblyDir });
    } else if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
      stacks.push(...loadCloudAssembly(join(assemblyDir, artifact.properties.directoryName)));
    }
  }
  if (stacks.length === 0) throw new AssemblyError(`The cloud assembly at ${assemblyDir} has no stacks.`);
  return stacks;
}
