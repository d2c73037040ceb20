// The API reference: Scalar's standalone bundle (/vendor/scalar/standalone.js, copied from
// node_modules by scripts/vendor-assets.ts) renders /v1/openapi.json, and its "Test Request"
// client calls this server. Everything it loads comes from this origin: no fonts, no proxy,
// no AI agent, MCP, developer toolbar or "open in Scalar" links (the CSP in _headers holds
// it to 'self' as well).

/** A local user token from POST /v1/dev/token (npm start only; elsewhere it is a 404). */
async function localToken() {
  try {
    const response = await fetch("/v1/dev/token", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{}",
    });
    if (!response.ok) return undefined;
    const { token } = await response.json();
    return typeof token === "string" ? token : undefined;
  } catch {
    return undefined;
  }
}

const token = await localToken();

globalThis.Scalar.createApiReference("#app", {
  url: "/v1/openapi.json",
  // The document's server is "/": requests go to whichever origin serves this page.
  servers: [{ url: location.origin, description: "This server" }],
  authentication: {
    preferredSecurityScheme: "bearerAuth",
    ...(token ? { securitySchemes: { bearerAuth: { token } } } : {}),
  },
  withDefaultFonts: false,
  telemetry: false,
  agent: { disabled: true },
  mcp: { disabled: true },
  hideClientButton: true,
  showDeveloperTools: "never",
  documentDownloadType: "json",
  defaultOpenAllTags: true,
});
