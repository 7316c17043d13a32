/**
 * Classes set on the map during a gesture (DOM classes, no React render), measured with
 * bench/topology-scale.ts on the 2-core machine (software compositing):
 * - MOVING (drags, and wheel zooms of small maps): the whole map (React Flow's viewport) gets a
 *   compositor layer, so a pan moves its raster instead of re-rastering boxes and thousands of
 *   edge segments each frame. Not at rest: a layer there makes each live update a re-layering.
 *   It stays SETTLE_MS after a gesture ends, because each toggle re-rasters the whole map.
 * - ZOOMING (wheel, maps of more than TEXTLESS_ZOOM_ABOVE_BOXES boxes): boxes without text, as
 *   when zoomed out (TEXT_FROM_ZOOM), and no MOVING layer. A layer keeps the scale it was
 *   rastered at: zooming out then rasters the newly shown area at that too-high scale and
 *   composites hundreds of tiles each frame (at 30,000 pods, 471 boxes: 800 raster tasks and
 *   11-13 of 90 frames over 20 ms), where painting text-less boxes anew at each notch costs
 *   about a tenth of it (2-3 of 90 frames). A small map keeps its text and the layer: it
 *   rasters quickly, and blanking it at every notch would only flicker. Text comes back
 *   SETTLE_MS after the last notch.
 * - PANNING (drag): boxes take no pointer events, so a drag's mouse moves skip hit-testing the
 *   boxes. Removed as soon as the drag ends, so a click right after lands on its box.
 */
export const MOVING_CLASS = 'topology-moving';
export const ZOOMING_CLASS = 'topology-zooming';
export const PANNING_CLASS = 'topology-panning';
export const SETTLE_MS = 400;
export const TEXTLESS_ZOOM_ABOVE_BOXES = 150;

/** The classes a gesture sets on the map (see above). */
export function gestureClasses(eventType: string, boxCount: number): string[] {
  if (eventType !== 'wheel') return [MOVING_CLASS, PANNING_CLASS];
  return boxCount > TEXTLESS_ZOOM_ABOVE_BOXES ? [ZOOMING_CLASS] : [MOVING_CLASS];
}
