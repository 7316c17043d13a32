import { EdgeLabelRenderer } from '@xyflow/react';
import { memo } from 'react';
import type { EdgePath, Rect } from './view';

/**
 * Every edge of the map in one SVG, one path per kind of edge (see view.ts for why these are not
 * React Flow edges). It sits in React Flow's edge-label layer: inside the pan/zoom transform and
 * under the boxes, so panning moves it without any React work.
 *
 * Under the edges, a backdrop in the map's own colour covers every box (`backdrop`, view.ts
 * boxBounds). Without it, Chromium would not paint boxes far from the drawn edges into the
 * map's layer during a drag (too sparse to merge): each became a layer of its own, and every
 * frame's layerization compared the other boxes against them (at 30,000 pods, 38 such boxes and
 * 5 ms a frame; 1.4 ms with the backdrop). It is placed by buildView, so live updates
 * (patchView, which never moves a box) leave it alone.
 */
export const EdgeLayer = memo(function EdgeLayer({ paths, backdrop }: { paths: readonly EdgePath[]; backdrop: Rect | undefined }) {
  return (
    <EdgeLabelRenderer>
      <svg className="topology-edges" aria-hidden="true" data-testid="topology-edges">
        {backdrop && <rect className="topology-backdrop" x={backdrop.x} y={backdrop.y} width={backdrop.width} height={backdrop.height} />}
        {paths.map((path) => (
          <path key={path.kind} className={`topology-edge topology-edge-${path.kind}`} d={path.d} data-count={path.count} />
        ))}
      </svg>
    </EdgeLabelRenderer>
  );
});
