import { App } from 'aws-cdk-lib';
import { buildMeshwardenApp } from './stacks/build-app';

/**
 * The CDK app (`npx cdk synth`, `npx cdk deploy`): configuration from CDK context
 * (`cdk.json`, `-c meshwarden:<key>=<value>`), cdk-nag AwsSolutions on for every stack.
 */
const app = new App();
buildMeshwardenApp(app);
app.synth();
