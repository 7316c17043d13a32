import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  /** Changing the key (e.g. the view id) clears a caught error. */
  resetKey: string;
  children: ReactNode;
}

interface State {
  error: Error | undefined;
  resetKey: string;
}

/** Keeps one broken view from blanking the app; the rest of the shell stays usable. */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: undefined, resetKey: this.props.resetKey };

  static getDerivedStateFromError(error: Error): Partial<State> {
    return { error };
  }

  static getDerivedStateFromProps(props: Props, state: State): Partial<State> | null {
    return props.resetKey === state.resetKey ? null : { error: undefined, resetKey: props.resetKey };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('A view failed to render:', error, info.componentStack);
  }

  override render(): ReactNode {
    if (!this.state.error) return this.props.children;
    return (
      <div className="view-error" role="alert">
        <h2>This view hit a problem</h2>
        <p>{this.state.error.message}</p>
        <button type="button" className="button" onClick={() => this.setState({ error: undefined })}>
          Try again
        </button>
      </div>
    );
  }
}
