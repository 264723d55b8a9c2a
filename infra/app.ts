import { App } from 'aws-cdk-lib';
import { ConfigError } from '../shared/errors';
import { PolicyError } from '../shared/policy/load';
import { buildMeshwardenApp } from './stacks/build-app';

/**
 * The CDK app (`npx cdk synth`, `npx cdk deploy`): configuration from CDK context
 * (`cdk.json`, `-c meshwarden:<key>=<value>`), cdk-nag AwsSolutions on for every stack.
 */
const app = new App();
try {
  buildMeshwardenApp(app);
} catch (error) {
  // A configuration or policy mistake is the user's to fix: say what it is, without a stack
  // trace and zod's issue dump burying the message.
  if (!(error instanceof ConfigError || error instanceof PolicyError)) throw error;
  console.error(error.message);
  process.exit(1);
}
app.synth();
