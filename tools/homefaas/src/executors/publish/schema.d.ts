import type { PublishOptions } from '../../publish/options';

/** Options of `nx run <fn>:publish` (schema.json); one definition, in publish/options.ts. */
export type PublishExecutorSchema = PublishOptions;
