/**
 * `npx tsx infra/nag-report.ts`: synthesize the app as `cdk synth` does and list every cdk-nag
 * acknowledgement with its reason, so a reviewer sees what is waived and why in one place.
 */
import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { acknowledgements } from './constructs/nag';
import { buildMeshwardenApp } from './stacks/build-app';
import { REPORT_ONLY_POLICY_FILE } from './stacks/meshwarden-config';

// The same context `cdk synth` reads from cdk.json; cdk.json names no policy (a deploy must choose
// one), and which policy is compiled changes no acknowledgement, so the report-only one stands in.
const { context } = JSON.parse(readFileSync('cdk.json', 'utf8')) as { context: Record<string, unknown> };
const app = new App({ context: { 'meshwarden:policyFile': REPORT_ONLY_POLICY_FILE, ...context } });
buildMeshwardenApp(app);
app.synth();
const list = acknowledgements();
for (const { path, id, reason } of list) console.log(`${id}\n  at ${path}\n  ${reason}\n`);
console.log(`${list.length} acknowledgement(s)`);
