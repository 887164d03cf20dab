import type { TBridge, TBridgeKind } from './types.js';
import { createTelegramBridge } from './telegram/index.js';

export interface TBridgesConfig {
  telegram: { apiRoot: string };
}

export type TBridgeRegistry = Partial<Record<TBridgeKind, TBridge>>;

/** The registry: one entry per platform folder. Discord and Slack join here. */
export function createBridgeRegistry(config: TBridgesConfig): TBridgeRegistry {
  return {
    telegram: createTelegramBridge(config.telegram),
  };
}

export function getBridge(registry: TBridgeRegistry, kind: string): TBridge {
  const bridge = registry[kind as TBridgeKind];
  if (!bridge) throw new Error(`No bridge registered for "${kind}"`);
  return bridge;
}
