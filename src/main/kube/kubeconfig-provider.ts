/**
 * Where every service gets credentials for a context. The clusters service implements it (its
 * imported contexts, with approved credential plugins and encrypted secrets); tests build a
 * KubeConfig from the harness's admin kubeconfig.
 */
import type { KubeConfig } from '@kubernetes/client-node';

export interface KubeConfigProvider {
  /**
   * A KubeConfig whose current context is `context`; NOT_FOUND when there is no such context.
   * Called again when the API server refuses the credentials (401), so it must give what is stored
   * now (a kubeconfig re-imported in Clusters, a rotated token file), not a copy kept from before.
   */
  kubeConfigFor(context: string): Promise<KubeConfig>;
  /**
   * Optional: the API server refused the credentials of `context`; drop any kept for it (a
   * credential plugin's token cached until its expiry) so the next kubeConfigFor gets fresh ones.
   */
  forgetCredentials?(context: string): void;
  /** Context names this provider can give, for the topology view's picker. */
  contextNames(): Promise<string[]>;
}
