/**
 * Keeps a failing screen from blanking the whole app: a render error, or a
 * page chunk that failed to load (the app was redeployed meanwhile), shows
 * a message with a reload button in place of the screen.
 */
import { Component, type ReactNode } from 'react';
import { Button, Result } from 'antd';

export class ErrorBoundary extends Component<{ children: ReactNode; labels: { title: string; reload: string } }, { error: Error | null }> {
  override state = { error: null as Error | null };
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <Result
        status="error"
        title={this.props.labels.title}
        subTitle={this.state.error.message}
        extra={
          <Button type="primary" onClick={() => location.reload()}>
            {this.props.labels.reload}
          </Button>
        }
      />
    );
  }
}
