/** Only web pages open from a terminal link; file:, javascript: and custom schemes never do. */
export function isOpenableLink(uri: string): boolean {
  try {
    const url = new URL(uri);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
