/**
 * The edge Worker's compatibility date: the local host runs it on workerd with this date, and
 * the Cloudflare component deploys it with the same one, so both run one behaviour. Pure.
 */
export const EDGE_COMPATIBILITY_DATE = "2025-01-01";
