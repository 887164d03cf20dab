import { Component, createRef } from 'preact';
import { countUnread } from '../app/chat-state.js';
import type { TStore } from '../app/create-store.js';
import type { TWidgetController } from '../app/widget-controller.js';
import type { TWidgetState } from '../app/widget-state.js';
import { readableTextColor } from '../shared/appearance.js';
import { Launcher } from './launcher.js';
import { Panel } from './panel.js';

interface TWidgetProps {
  store: TStore<TWidgetState>;
  controller: TWidgetController;
  /** Focus the composer on the first render (the visitor clicked the loader's launcher). */
  focusOnMount: boolean;
}

// The app's components use no hooks (preact/hooks would cost app.js about 1 kB gzipped): this root subscribes to
// the store, the others are plain functions of its state, or classes where they need a lifecycle.
export class Widget extends Component<TWidgetProps, { s: TWidgetState }> {
  private readonly inputRef = createRef<HTMLTextAreaElement>();
  private readonly launcherRef = createRef<HTMLButtonElement>();
  private unsubscribe = () => undefined as void;

  constructor(props: TWidgetProps) {
    super(props);
    this.state = { s: props.store.get() };
  }

  override componentDidMount() {
    this.unsubscribe = this.props.store.subscribe((s) => this.setState({ s }));
    // Catch an update made between the first render and the subscription.
    this.setState({ s: this.props.store.get() });
    // A panel restored on page load does not steal focus from the page; one the visitor asked for does.
    if (this.state.s.isOpen && this.props.focusOnMount) this.inputRef.current?.focus();
  }

  override componentWillUnmount() {
    this.unsubscribe();
  }

  // Focus follows the panel: into the composer when it opens, back to the launcher when it closes.
  override componentDidUpdate(_: TWidgetProps, previous: { s: TWidgetState }) {
    const { isOpen } = this.state.s;
    if (isOpen === previous.s.isOpen) return;
    if (isOpen) this.inputRef.current?.focus();
    else if (isFocusInside(this.launcherRef.current)) this.launcherRef.current?.focus();
  }

  render() {
    const { s } = this.state;
    const { controller } = this.props;
    const { color, position } = s.settings;
    return (
      <div
        class={`pp pp-${position}${s.isOpen ? ' pp-open' : ''}`}
        style={{ '--pp-color': color, '--pp-fg': readableTextColor(color) }}
        data-pp="root"
      >
        {s.isOpen && <Panel state={s} controller={controller} inputRef={this.inputRef} onClose={controller.close} />}
        <Launcher
          isOpen={s.isOpen}
          unread={countUnread(s.chat, s.lastReadSeq)}
          t={s.t}
          onToggle={controller.toggle}
          buttonRef={this.launcherRef}
        />
      </div>
    );
  }
}

/** True when focus is somewhere in the widget (or nowhere): only then is moving it to the launcher polite. */
function isFocusInside(el: HTMLElement | null): boolean {
  if (!el) return false;
  const root = el.getRootNode() as ShadowRoot;
  const doc = el.ownerDocument;
  return root.activeElement !== null || doc.activeElement === doc.body || doc.activeElement === null;
}
