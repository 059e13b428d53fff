// Where alert and report channels may send: the public internet only, unless the
// operator allow-lists an internal destination. Channel URLs are chosen by tenants,
// so the worker must not become their proxy into our network (cloud metadata, the
// database, compose services). The API refuses literal internal addresses when a
// channel is saved; the worker checks every resolved address at connect time.
//
//   ALERT_EGRESS_ALLOW  comma-separated destinations allowed although internal:
//                       a host name (as written in the URL), an IP address or a CIDR range,
//                       each with an optional :port, e.g. "hooks.internal:8080,10.1.2.0/24,[fd00::7]:443"
import ipaddr from 'ipaddr.js';

interface AllowEntry {
  host?: string;
  range?: [ipaddr.IPv4 | ipaddr.IPv6, number];
  port?: number;
}

export interface EgressPolicy {
  allow: AllowEntry[];
}

/** The destination of one connection: the URL's host and port, and an address it resolved to. */
export interface Destination {
  host: string;
  port: number;
  address: string;
}

export function parseEgressAllowList(value: string | undefined): EgressPolicy {
  const allow = (value ?? '').split(',').map((s) => s.trim()).filter(Boolean).map(parseEntry);
  return { allow };
}

function parseEntry(raw: string): AllowEntry {
  // A bare address or range (IPv6 ones contain colons), else host[:port] with IPv6 in brackets.
  if (ipaddr.isValid(raw) || ipaddr.isValidCIDR(raw)) return addressEntry(raw, undefined);
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):?(\d+)?$/.exec(raw);
  const host = m?.[1] ?? m?.[2];
  const port = m?.[3] === undefined ? undefined : Number(m[3]);
  if (!host || (port !== undefined && (port < 1 || port > 65535))) {
    throw new Error(`ALERT_EGRESS_ALLOW: cannot read '${raw}' (a host, IP address or CIDR range, with an optional :port)`);
  }
  if (ipaddr.isValid(host) || ipaddr.isValidCIDR(host)) return addressEntry(host, port);
  return { host: host.toLowerCase(), port };
}

function addressEntry(s: string, port: number | undefined): AllowEntry {
  if (s.includes('/')) return { range: ipaddr.parseCIDR(s), port };
  const addr = ipaddr.process(s);
  return { range: [addr, addr.kind() === 'ipv4' ? 32 : 128], port };
}

/**
 * Why an address is internal ('loopback', 'private', 'linkLocal', 'multicast',
 * 'unspecified', ...), or undefined for a public unicast address. IPv4-mapped
 * IPv6 addresses are judged as the IPv4 address they carry; the IPv6 ranges that
 * embed IPv4 (6to4, Teredo, NAT64) count as internal since they can reach it.
 */
export function internalRange(address: string): string | undefined {
  if (!ipaddr.isValid(address)) return 'invalid';
  const range = ipaddr.process(address).range();
  return range === 'unicast' ? undefined : range;
}

function entryMatches(e: AllowEntry, d: Destination): boolean {
  if (e.port !== undefined && e.port !== d.port) return false;
  if (e.host !== undefined) return e.host === d.host.toLowerCase();
  const addr = ipaddr.process(d.address);
  return addr.kind() === e.range![0].kind() && addr.match(e.range!);
}

/** Undefined when the policy lets a connection go to `d`; otherwise why not. */
export function refusal(policy: EgressPolicy, d: Destination): string | undefined {
  const range = internalRange(d.address);
  if (range === undefined || policy.allow.some((e) => entryMatches(e, d))) return undefined;
  return `${d.host} is an internal address (${range}); an operator can allow it with ALERT_EGRESS_ALLOW`;
}

/** The host of a URL without IPv6 brackets, and its port (default of the scheme). */
export function urlDestination(url: URL): { host: string; port: number } {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80 };
}

/**
 * For a URL whose host is an IP address (after the URL parser's normalisation of
 * forms like 127.1, 0x7f000001 or 2130706433), why it may not be used; host names
 * are judged when they are resolved, at send time.
 */
export function literalRefusal(policy: EgressPolicy, url: URL): string | undefined {
  const { host, port } = urlDestination(url);
  if (!ipaddr.isValid(host)) return undefined;
  return refusal(policy, { host, port, address: host });
}
