import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  children: ReactNode;
  /** Shown instead of the full-page fallback (for one panel). */
  compact?: boolean;
  label?: string;
}

interface State {
  error: Error | null;
}

/** A render error shows a way out instead of a blank screen. */
export class ErrorBoundary extends Component<Props, State> {
  state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('render error', error, info.componentStack);
  }

  render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    if (this.props.compact) {
      return (
        <div className="panel-error" role="alert">
          <p>
            {this.props.label ?? 'This panel'} failed: {error.message}
          </p>
          <button className="btn" onClick={() => this.setState({ error: null })}>
            Try again
          </button>
        </div>
      );
    }
    return (
      <div className="fatal" role="alert">
        <h1>Something went wrong</h1>
        <p>{error.message}</p>
        <p>Your saved files are safe on the server.</p>
        <div className="row">
          <button className="btn primary" onClick={() => this.setState({ error: null })}>
            Try to continue
          </button>
          <button className="btn" onClick={() => window.location.reload()}>
            Reload the page
          </button>
        </div>
      </div>
    );
  }
}
