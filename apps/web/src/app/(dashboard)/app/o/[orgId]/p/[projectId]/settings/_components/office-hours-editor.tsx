'use client';

import { useEffect, useState } from 'react';
import type { TOfficeHours } from '@pocketping/protocol';

const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
// Displayed Monday first; stored 0 = Sunday … 6 = Saturday like the protocol.
const DAY_NUMBERS = [1, 2, 3, 4, 5, 6, 0];

export function defaultOfficeHours(): TOfficeHours {
  let timezone = 'UTC';
  try {
    timezone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    // keep UTC
  }
  return { timezone, days: [1, 2, 3, 4, 5].map((day) => ({ day, from: '09:00', to: '18:00' })) };
}

/** Weekly opening hours: a time zone and any number of ranges per day (none = closed that day). */
export function OfficeHoursEditor({
  value,
  onChange,
}: {
  value: TOfficeHours;
  onChange: (next: TOfficeHours) => void;
}) {
  const [zones, setZones] = useState<string[]>([]);
  useEffect(() => {
    try {
      setZones(Intl.supportedValuesOf('timeZone'));
    } catch {
      setZones([]);
    }
  }, []);
  const setRange = (index: number, patch: Partial<{ from: string; to: string }>) =>
    onChange({ ...value, days: value.days.map((d, i) => (i === index ? { ...d, ...patch } : d)) });
  return (
    <div className="stack">
      <label className="field">
        <span>Time zone</span>
        <input
          type="text"
          list="pp-timezones"
          value={value.timezone}
          onChange={(e) => onChange({ ...value, timezone: e.target.value })}
          placeholder="Europe/Paris"
        />
        <datalist id="pp-timezones">
          {zones.map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
      </label>
      <div>
        {DAY_NUMBERS.map((day, row) => {
          const ranges = value.days.map((d, index) => ({ ...d, index })).filter((d) => d.day === day);
          return (
            <div key={day} className="hours-row">
              <strong>{DAYS[row]}</strong>
              <div className="ranges">
                {ranges.length === 0 ? <span className="muted">Closed</span> : null}
                {ranges.map((r) => (
                  <div key={r.index} className="range">
                    <input
                      type="time"
                      value={r.from}
                      onChange={(e) => setRange(r.index, { from: e.target.value })}
                      aria-label={`${DAYS[row]} from`}
                    />
                    <span>–</span>
                    <input
                      type="time"
                      value={r.to}
                      onChange={(e) => setRange(r.index, { to: e.target.value })}
                      aria-label={`${DAYS[row]} to`}
                    />
                    {r.from >= r.to ? <span className="field-error">ends before it starts</span> : null}
                    <button
                      type="button"
                      className="btn-link"
                      onClick={() => onChange({ ...value, days: value.days.filter((_, i) => i !== r.index) })}
                    >
                      Remove
                    </button>
                  </div>
                ))}
                {value.days.length < 21 ? (
                  <button
                    type="button"
                    className="btn-link"
                    style={{ justifySelf: 'start' }}
                    onClick={() => onChange({ ...value, days: [...value.days, { day, from: '09:00', to: '18:00' }] })}
                  >
                    + Add hours
                  </button>
                ) : null}
              </div>
            </div>
          );
        })}
      </div>
    </div>
  );
}
