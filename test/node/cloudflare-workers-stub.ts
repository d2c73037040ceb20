/**
 * `cloudflare:workers` for the Node project, which imports the app only to build its
 * OpenAPI document: route modules reach Durable Object classes through imports, but
 * nothing here runs them, so an empty base class is all they need.
 */
export class DurableObject {}
export const env = {};
