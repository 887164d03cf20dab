'use client';

import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';

export interface TConfirmOptions {
  title: string;
  body: ReactNode;
  /** The confirming button's words, e.g. "Disconnect Slack". */
  confirmLabel: string;
  /** A destructive action confirms with the filled red button; otherwise the primary one. */
  destructive?: boolean;
}

/**
 * A confirmation on the native modal <dialog>: focus moves into it and stays there, Escape or "Cancel" answer no,
 * and the focus returns to what opened it. `confirm(…)` resolves true only when the confirming button is pressed.
 */
export function useConfirm(): [ReactNode, (opts: TConfirmOptions) => Promise<boolean>] {
  const ref = useRef<HTMLDialogElement>(null);
  const [opts, setOpts] = useState<TConfirmOptions | null>(null);
  const resolver = useRef<((ok: boolean) => void) | null>(null);

  const finish = useCallback((ok: boolean) => {
    resolver.current?.(ok);
    resolver.current = null;
    if (ref.current?.open) ref.current.close();
    setOpts(null);
  }, []);

  useEffect(() => {
    if (opts && ref.current && !ref.current.open) ref.current.showModal();
  }, [opts]);

  const confirm = useCallback((next: TConfirmOptions) => {
    resolver.current?.(false);
    setOpts(next);
    return new Promise<boolean>((resolve) => {
      resolver.current = resolve;
    });
  }, []);

  const element = (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby="confirm-dialog-title"
      aria-describedby="confirm-dialog-body"
      onCancel={(e) => {
        e.preventDefault();
        finish(false);
      }}
      data-testid="confirm-dialog"
    >
      {opts ? (
        <>
          <h2 id="confirm-dialog-title">{opts.title}</h2>
          <div id="confirm-dialog-body">{opts.body}</div>
          <div className="dialog-actions">
            <button type="button" className="btn secondary" onClick={() => finish(false)} autoFocus>
              Cancel
            </button>
            <button type="button" className={opts.destructive ? 'btn danger' : 'btn'} onClick={() => finish(true)}>
              {opts.confirmLabel}
            </button>
          </div>
        </>
      ) : null}
    </dialog>
  );
  return [element, confirm];
}
