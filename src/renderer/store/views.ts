/** The app's top-level views, in navigation order. */
export const viewIds = ['hosts', 'labs', 'clusters', 'topology', 'apps', 'pods', 'terminals', 'settings'] as const;

export type ViewId = (typeof viewIds)[number];

export function isViewId(value: string): value is ViewId {
  return (viewIds as readonly string[]).includes(value);
}
