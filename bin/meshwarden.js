#!/usr/bin/env node
// The `meshwarden` command: runs the TypeScript CLI through tsx's loader, so the CLI and
// the functions share one source tree without a separate compile step.
import { register } from 'tsx/esm/api';

register();
await import('../infra/cli/main.ts');
