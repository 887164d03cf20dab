import { CopyButton } from './copy-button';

/** A code block with a Copy button (server-renderable; only the button is a client component). */
export function SnippetBlock({ code, label, testId }: { code: string; label?: string; testId?: string }) {
  return (
    <div className="snippet-block">
      <pre data-testid={testId}>
        <code>{code}</code>
      </pre>
      <div className="row">
        <CopyButton text={code} label={label ?? 'Copy'} />
      </div>
    </div>
  );
}
