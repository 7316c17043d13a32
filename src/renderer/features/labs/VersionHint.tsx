/**
 * What the typed Kubernetes version allows, from the version table: where kubeadm installs it
 * from (packages, or an offline bundle needed), Windows workers, the kubeadm configuration API.
 * Rendered as the version field's hint, so it is read with the field (aria-describedby) and
 * changes as the user types.
 */
import type { Distribution } from '../../../shared/contract';
import {
  describeKubernetesVersion,
  lookUpKubernetesVersion,
  OFFERED_KUBERNETES_VERSIONS,
  OLDEST_KUBERNETES_MINOR,
} from '../../../shared/kubernetes-versions';

export function VersionHint({ version, distribution }: { version: string; distribution: Distribution }) {
  const lookup = lookUpKubernetesVersion(version.trim());
  const offered = `Offered: ${OFFERED_KUBERNETES_VERSIONS.join(', ')}; any x.y.z of 1.${OLDEST_KUBERNETES_MINOR} or newer works.`;
  if (lookup.status !== 'ok') return <span>{offered}</span>;
  const allows = describeKubernetesVersion(lookup.rules, distribution);
  return (
    <>
      <span>{offered}</span>{' '}
      <span className="version-rules" data-testid="version-rules">
        <span data-version-rule="install">{allows.install}</span> <span data-version-rule="windows">{allows.windows}</span>
        {allows.configApi && (
          <>
            {' '}
            <span data-version-rule="config-api">{allows.configApi}</span>
          </>
        )}
      </span>
    </>
  );
}
