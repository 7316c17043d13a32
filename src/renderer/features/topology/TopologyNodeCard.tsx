import type { NodeProps } from '@xyflow/react';
import { memo } from 'react';
import type { GraphNode } from './graph-types';
import { StatusBadge } from '../../components/StatusBadge';
import { badgeTones } from './status';

const typeLabels: Record<GraphNode['type'], string> = {
  host: 'Host',
  vm: 'VM',
  node: 'Node',
  group: 'Workload',
  pod: 'Pod',
  service: 'Service',
  slice: 'EndpointSlice',
  ingress: 'Ingress',
  gateway: 'Gateway',
  route: 'HTTPRoute',
  pool: 'Node pool',
  namespace: 'Namespace',
};

/**
 * One box of the map. Renders what the pipeline computed; no logic beyond choosing classes. No
 * React Flow handles: edges are drawn by EdgeLayer from the boxes' places, not attached to handles.
 */
export const TopologyNodeCard = memo(function TopologyNodeCard({ data }: NodeProps & { data: GraphNode }) {
  const classes = ['topology-card', `topology-card-${data.type}`];
  if (data.os) classes.push(`topology-os-${data.os}`);
  if (data.match) classes.push('topology-match');
  if (data.pods?.shown) classes.push('topology-card-expanded');
  if (data.status) classes.push(`topology-tone-${data.status.tone}`);
  return (
    <div
      className={classes.join(' ')}
      data-testid={`topology-${data.type}`}
      data-name={data.label}
      aria-label={`${data.kind} ${data.label}`}
    >
      <div className="topology-card-head">
        <span className="topology-kind">
          {data.os === 'windows' ? '⊞ Windows ' : data.os === 'linux' ? '▲ Linux ' : ''}
          {data.type === 'group' ? data.kind : typeLabels[data.type]}
          {data.role === 'control-plane' ? ' · control plane' : ''}
        </span>
        {data.namespace && <span className="topology-namespace">{data.namespace}</span>}
      </div>
      <div className="topology-card-name" title={data.label}>
        {data.label}
      </div>
      <div className="topology-card-foot">
        {data.status && (
          <StatusBadge tone={badgeTones[data.status.tone]} inline>
            {data.status.text}
          </StatusBadge>
        )}
        {data.type === 'group' && data.pods && (
          <span className="topology-count" data-testid="topology-pod-count">
            {data.pods.total} {data.pods.total === 1 ? 'pod' : 'pods'}
          </span>
        )}
        {data.type !== 'group' && data.detail && <span className="topology-detail">{data.detail}</span>}
      </div>
      {data.type === 'group' && data.pods && <MoreLine pods={data.pods} expanded={Boolean(data.expanded)} />}
    </div>
  );
});

/** Under a group's pods: how many are not drawn (an expanded group draws at most a few hundred). */
function MoreLine({ pods, expanded }: { pods: NonNullable<GraphNode['pods']>; expanded: boolean }) {
  const hidden = (expanded ? pods.total : pods.failing) - pods.shown;
  if (hidden <= 0) return null;
  return (
    <div className="topology-more" data-testid="topology-more">
      {hidden} more {expanded ? '' : 'failing '}not drawn
    </div>
  );
}

/** A pod drawn inside its group (an expanded group's, or a collapsed group's failing pod). */
export const TopologyPodCard = memo(function TopologyPodCard({ data }: NodeProps & { data: GraphNode }) {
  return (
    <div
      className={`topology-pod${data.match ? ' topology-match' : ''}${data.status ? ` topology-tone-${data.status.tone}` : ''}`}
      data-testid="topology-pod"
      data-name={data.label}
      title={`${data.label} on ${data.detail ?? 'no node'}`}
    >
      {data.status && (
        <StatusBadge tone={badgeTones[data.status.tone]} inline>
          {data.status.text}
        </StatusBadge>
      )}
      <span className="topology-pod-name">{data.label}</span>
    </div>
  );
});
