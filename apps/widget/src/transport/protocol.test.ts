import { describe, expect, it } from 'vitest';
import * as protocol from '@pocketping/protocol';
import {
  DEFAULT_SETTINGS,
  LIMITS,
  PROJECT_KEY_MAX,
  UPLOAD_MAX_BYTES,
  PROJECT_KEY_MIN,
  VISITOR_TOKEN_MAX,
  VISITOR_TOKEN_MIN,
  WIDGET_NAMESPACE,
  WIDGET_BOOT_PATH,
  WidgetEvents,
} from './protocol.js';

describe('protocol mirror', () => {
  it('matches the constants of @pocketping/protocol', () => {
    expect(WIDGET_NAMESPACE).toBe(protocol.WIDGET_NAMESPACE);
    expect(WIDGET_BOOT_PATH).toBe(protocol.WIDGET_BOOT_PATH);
    expect(WidgetEvents).toEqual(protocol.WidgetEvents);
    expect(LIMITS).toEqual(protocol.LIMITS);
    expect(UPLOAD_MAX_BYTES).toBe(protocol.UPLOAD_LIMITS.maxBytes);
  });

  it('uses the ZWidgetSettings defaults', () => {
    expect(DEFAULT_SETTINGS).toEqual(protocol.ZWidgetSettings.parse({}));
  });

  it('uses the ZWidgetAuth bounds', () => {
    const auth = (projectKey: string, visitorToken?: string) =>
      protocol.ZWidgetAuth.safeParse({ projectKey, visitorToken }).success;
    expect(auth('k'.repeat(PROJECT_KEY_MIN))).toBe(true);
    expect(auth('k'.repeat(PROJECT_KEY_MIN - 1))).toBe(false);
    expect(auth('k'.repeat(PROJECT_KEY_MAX))).toBe(true);
    expect(auth('k'.repeat(PROJECT_KEY_MAX + 1))).toBe(false);
    expect(auth('pk_test_1', 't'.repeat(VISITOR_TOKEN_MIN))).toBe(true);
    expect(auth('pk_test_1', 't'.repeat(VISITOR_TOKEN_MIN - 1))).toBe(false);
    expect(auth('pk_test_1', 't'.repeat(VISITOR_TOKEN_MAX))).toBe(true);
    expect(auth('pk_test_1', 't'.repeat(VISITOR_TOKEN_MAX + 1))).toBe(false);
  });
});
