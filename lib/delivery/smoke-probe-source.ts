// The smoke-test probe: a function in the platform's VPC that makes one GET to an internal load
// balancer of the platform on behalf of the smoke test, which runs in the tools account and cannot
// reach it. Inline source (no bundle, no SDK): it only validates the URL and fetches it.

import { MODEL_NAME_PATTERN } from '../../lambda/shared/names-and-numbers';

/** SSM parameter naming the probe function, read by scripts/smoke-test.mjs. */
export const smokeProbeParameter = (platform: string) => `/cdk-mlops/${platform}/delivery/smoke-probe-function`;

/**
 * CommonJS source of the probe. `probe(event, fetchImpl)` answers `{ status, body }` for a GET of
 * `event.url`, or `{ error }` for a URL it refuses: only `/health` and one prediction, on an
 * internal ALB of this region.
 */
export const SMOKE_PROBE_SOURCE = `
const PATH = /^\\/(health|v1\\/models\\/${MODEL_NAME_PATTERN.slice(1, -1)}\\/predictions\\/[^/]+)$/;
const host = (region) => new RegExp('^internal-[A-Za-z0-9-]+\\\\.' + region.replace(/[^a-z0-9-]/g, '') + '\\\\.elb\\\\.amazonaws\\\\.com$');
exports.probe = async (event, fetchImpl = fetch, region = process.env.AWS_REGION) => {
  let url;
  try { url = new URL(String(event && event.url)); } catch (e) { return { error: 'url ' + JSON.stringify(event && event.url) + ' is not a URL' }; }
  if (!['http:', 'https:'].includes(url.protocol) || !host(region).test(url.hostname) || !PATH.test(url.pathname) || url.search !== '') {
    return { error: 'refused ' + url.href + ': only GET http(s)://internal-<alb>.' + region + '.elb.amazonaws.com/health or /v1/models/<model>/predictions/<entity>' };
  }
  const res = await fetchImpl(url.href, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: await res.text() };
};
exports.handler = (event) => exports.probe(event);
`;
