import type { PublishOptions } from '../../lib/publish-plan';

/** Options of `nx run <fn>:publish` (schema.json); one definition, in publish-plan.ts. */
export type PublishExecutorSchema = PublishOptions;
