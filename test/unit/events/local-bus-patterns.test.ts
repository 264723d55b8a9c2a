import { matchesPattern } from '../../../infra/local/bus/pattern';
import { describePatternMatching } from './pattern-cases';

// The local bus must route the rule patterns exactly as EventBridge does (checked against moto).
describePatternMatching('local bus matcher', (pattern, event) => matchesPattern(pattern, event));
