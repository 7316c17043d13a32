/**
 * Custom YAML whose pods would land on the wrong OS, said before and after the apply (warnings,
 * not refusals: the YAML may be meant for another cluster, or the user knows better). A pod
 * template with a Windows image needs nodeSelector kubernetes.io/os: windows; one without an OS
 * selector may land on a Windows node its tolerations let it onto; one that selects Windows but
 * tolerates no taint of any Windows node (labs taint them os=windows:NoSchedule) stays Pending.
 */
import type { TargetOs } from '../../shared/contract/apps';
import type { KubeClient } from './kube-client';
import { imagesOf, nodeOsOf, tolerationsOf } from './manifest';
import { readyNodesOf } from './preflight';
import type { KubeObject } from './yaml-documents';

/** Windows Server container images: Microsoft's Windows bases and what is built on them. */
const WINDOWS_IMAGE = /(^|\/)windows(\/|:|$)|(^|\/)dotnet\/framework\/|windowsservercore|nanoserver|:ltsc20\d\d/i;

export function isWindowsImage(image: string): boolean {
  return WINDOWS_IMAGE.test(image);
}

const WINDOWS_TOLERATION = 'tolerations: [{key: os, operator: Equal, value: windows, effect: NoSchedule}]';

/** The warnings of each object with a pod template; nodes are read once per OS and set of tolerations. */
export function osPlacementChecker(client: KubeClient): (object: KubeObject) => Promise<string[]> {
  const nodes = new Map<string, Promise<Awaited<ReturnType<typeof readyNodesOf>> | undefined>>();
  const nodesOf = (os: TargetOs, object: KubeObject) => {
    const tolerations = tolerationsOf(object);
    const key = `${os} ${JSON.stringify(tolerations)}`;
    // Without the right to list nodes there is nothing to compare with: no node-based warning.
    if (!nodes.has(key))
      nodes.set(
        key,
        readyNodesOf(client, os, tolerations).catch(() => undefined),
      );
    return nodes.get(key)!;
  };
  return async (object) => {
    const images = imagesOf(object);
    if (images.length === 0) return [];
    const what = `${object.kind} ${object.metadata.name}`;
    const os = nodeOsOf(object);
    const windowsImage = images.find(isWindowsImage);
    if (windowsImage !== undefined && os !== 'windows') {
      return [
        `${what}: ${windowsImage} is a Windows image, but the pod template does not select nodeSelector kubernetes.io/os: windows, so it can be scheduled on a Linux node, where it cannot run. Add nodeSelector kubernetes.io/os: windows (and ${WINDOWS_TOLERATION} for tainted Windows workers).`,
      ];
    }
    if (os === undefined) {
      const windows = await nodesOf('windows', object);
      if (windows !== undefined && windows.ready.length > 0) {
        return [
          `${what} selects no kubernetes.io/os, and this cluster has Windows nodes its pods can be scheduled on (${windows.ready.join(', ')}), where Linux images do not run. Add nodeSelector kubernetes.io/os: linux.`,
        ];
      }
      return [];
    }
    if (os === 'windows') {
      const windows = await nodesOf('windows', object);
      if (windows !== undefined && windows.ready.length === 0 && windows.tainted.length > 0) {
        const taints = [...new Set(windows.tainted.flatMap((node) => node.taints))].join(', ');
        return [
          `${what} selects Windows nodes, but every Windows node has a taint its pods do not tolerate (${taints}): they stay Pending. Add ${WINDOWS_TOLERATION}, or the toleration for the taint shown.`,
        ];
      }
    }
    return [];
  };
}
