/**
 * Write the policy's JSON Schema to shared/policy/meshwarden.policy.schema.json:
 * `npx tsx shared/policy/export-json-schema.ts`. A unit test fails when the committed file
 * no longer matches the zod schema, so run this after changing schema.ts. The file is then
 * formatted with Biome, so that `npm run lint` accepts it as written.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { policyJsonSchema } from './json-schema';

const target = join(dirname(fileURLToPath(import.meta.url)), 'meshwarden.policy.schema.json');
writeFileSync(target, `${JSON.stringify(policyJsonSchema(), null, 2)}\n`);
execFileSync('npx', ['biome', 'format', '--write', target], { stdio: 'inherit' });
console.log(`wrote ${target}`);
