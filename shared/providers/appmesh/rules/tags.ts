import { RESOURCE_KINDS } from '../../../domain/resource-key';
import { defineRule, describeResource } from './rule';

/** `tags.required`: resources of the configured kinds carry the required tags (and values). */
export const tagsRequired = defineRule({
  id: 'tags.required',
  category: 'compliance',
  kinds: RESOURCE_KINDS,
  enabled: (c) => c.requiredTags !== undefined,
  check(resource, ctx) {
    const rule = ctx.compliance.requiredTags;
    if (rule === undefined || !rule.kinds.has(resource.kind)) return [];
    const name = describeResource(resource);
    const tags = resource.tags;
    const failures: string[] = [];
    for (const required of rule.tags) {
      const value = tags?.[required.key];
      if (value === undefined) {
        // Unread tags are reported, not assumed present: a check that cannot see must not pass.
        const unread = tags === undefined ? ' (its tags were not read)' : '';
        failures.push(`${name} has no tag ${required.key}${unread}: tag it with ${required.key}.`);
      } else if (required.value !== undefined && !required.value.test(value)) {
        failures.push(
          `${name} has tag ${required.key}=${value}; the policy requires ${required.key} to match ${required.value.source}: fix the tag.`,
        );
      }
    }
    return failures;
  },
});
