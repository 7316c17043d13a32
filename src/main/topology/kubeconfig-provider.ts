/**
 * Where the topology service gets credentials for a context. The clusters service implements
 * it (its imported contexts, with approved credential plugins and encrypted secrets); tests
 * build a KubeConfig from the harness's admin kubeconfig.
 */
import type { KubeConfig } from '@kubernetes/client-node';

export interface KubeConfigProvider {
  /** A KubeConfig whose current context is `context`; NOT_FOUND when there is no such context. */
  kubeConfigFor(context: string): Promise<KubeConfig>;
  /** Context names this provider can give, for the topology view's picker. */
  contextNames(): Promise<string[]>;
}
