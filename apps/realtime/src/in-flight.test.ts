import { describe, expect, it } from 'vitest';
import { createInFlight } from './in-flight.js';

describe('in-flight widget events', () => {
  it('a drain waits for the events being handled, and says when the bound cut it short', async () => {
    const inFlight = createInFlight();
    expect(await inFlight.idle(0)).toBe(true);
    let finish!: () => void;
    const send = inFlight.run(() => new Promise<string>((r) => (finish = () => r('stored'))));
    expect(inFlight.count()).toBe(1);
    expect(await inFlight.idle(0)).toBe(false);
    const drained = inFlight.idle(60_000);
    finish();
    expect(await send).toBe('stored');
    expect(await drained).toBe(true);
    expect(inFlight.count()).toBe(0);
    // A failing event is counted out too.
    await expect(inFlight.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await inFlight.idle(0)).toBe(true);
  });
});
