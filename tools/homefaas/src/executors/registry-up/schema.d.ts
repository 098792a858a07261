import type { RegistrySettingsOptions } from '../../registry/registry-settings';

/**
 * Options of the `registry-up` executor (see schema.json): the registry settings, each overriding
 * homefaas.json.
 */
export type RegistryUpExecutorSchema = RegistrySettingsOptions;
