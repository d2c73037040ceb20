// The interactive API reference: renders /v1/openapi.json and lets you try each endpoint
// from the page. Everything is drawn with DOM calls (no innerHTML), so nothing in the
// document can inject markup.

const el = (tag, props = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
};

const tokenInput = document.getElementById("token");
tokenInput.value = sessionStorage.getItem("docs-token") ?? "";
tokenInput.addEventListener("change", () =>
  sessionStorage.setItem("docs-token", tokenInput.value.trim()),
);

document.getElementById("dev-token").addEventListener("click", async () => {
  const res = await fetch("/v1/dev/token", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: "{}",
  });
  if (!res.ok) {
    alert("Local tokens are only available under npm start (DEV_TOKENS).");
    return;
  }
  const { token } = await res.json();
  tokenInput.value = token;
  sessionStorage.setItem("docs-token", token);
});

/** Follows a local $ref (#/components/...). */
function resolve(doc, node) {
  if (!node || typeof node !== "object" || !node.$ref) return node;
  return node.$ref
    .replace(/^#\//, "")
    .split("/")
    .reduce((acc, part) => acc?.[part], doc);
}

/** A plausible example value for a JSON Schema, to prefill request bodies. */
function example(schema, depth = 0) {
  if (!schema || depth > 6) return null;
  if (schema.default !== undefined) return schema.default;
  if (schema.examples?.length) return schema.examples[0];
  if (schema.enum) return schema.enum[0];
  if (schema.anyOf) return example(schema.anyOf[0], depth + 1);
  switch (Array.isArray(schema.type) ? schema.type[0] : schema.type) {
    case "object": {
      const out = {};
      for (const [name, prop] of Object.entries(schema.properties ?? {})) {
        if ((schema.required ?? []).includes(name)) out[name] = example(prop, depth + 1);
      }
      return out;
    }
    case "array":
      return [example(schema.items, depth + 1)];
    case "integer":
    case "number":
      return schema.minimum !== undefined && schema.minimum > -1e9 ? schema.minimum : 1;
    case "boolean":
      return true;
    case "string":
      return schema.format === "date-time"
        ? new Date(Date.now() + 7 * 864e5).toISOString()
        : "string";
    default:
      return null;
  }
}

function parameterTable(parameters) {
  if (parameters.length === 0) return null;
  return el(
    "table",
    {},
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        el("th", {}, "Name"),
        el("th", {}, "In"),
        el("th", {}, "Required"),
        el("th", {}, "Schema"),
      ),
    ),
    el(
      "tbody",
      {},
      parameters.map((p) =>
        el(
          "tr",
          {},
          el("td", {}, el("code", {}, p.name)),
          el("td", {}, p.in),
          el("td", {}, p.required ? "yes" : "no"),
          el("td", {}, el("code", {}, JSON.stringify(p.schema ?? {}))),
        ),
      ),
    ),
  );
}

function tryIt(doc, path, method, operation, parameters) {
  const inputs = new Map();
  const fields = parameters
    .filter((p) => p.in === "path" || p.in === "query" || p.name === "Idempotency-Key")
    .map((p) => {
      const id = `${operation.operationId}-${p.name}`;
      const input = el("input", { id, name: p.name, autocomplete: "off" });
      if (p.name === "Idempotency-Key") input.value = crypto.randomUUID();
      inputs.set(p, input);
      return el("div", {}, el("label", { for: id }, `${p.name} (${p.in})`), input);
    });
  const bodySchema = resolve(doc, operation.requestBody?.content?.["application/json"]?.schema);
  const bodyId = `${operation.operationId}-body`;
  const body = bodySchema ? el("textarea", { id: bodyId, spellcheck: "false" }) : null;
  if (body) body.value = JSON.stringify(example(bodySchema), null, 2);
  const output = el("pre", { class: "result", "aria-live": "polite" });
  output.hidden = true;

  const send = async () => {
    let url = path;
    const query = new URLSearchParams();
    const headers = {};
    for (const [p, input] of inputs) {
      const value = input.value.trim();
      if (p.in === "path") url = url.replace(`{${p.name}}`, encodeURIComponent(value));
      else if (p.in === "query" && value) query.set(p.name, value);
      else if (p.in === "header" && value) headers[p.name] = value;
    }
    if (tokenInput.value.trim()) headers.Authorization = `Bearer ${tokenInput.value.trim()}`;
    if (body) headers["Content-Type"] = "application/json";
    const target = query.size ? `${url}?${query}` : url;
    output.hidden = false;
    output.textContent = `${method.toUpperCase()} ${target} …`;
    try {
      const res = await fetch(target, { method: method.toUpperCase(), headers, body: body?.value });
      const text = await res.text();
      let pretty = text;
      try {
        pretty = JSON.stringify(JSON.parse(text), null, 2);
      } catch {
        // not JSON: shown as it is
      }
      const shown = [
        "x-request-id",
        "retry-after",
        "idempotent-replayed",
        "x-ratelimit-remaining",
        "etag",
      ]
        .filter((h) => res.headers.has(h))
        .map((h) => `${h}: ${res.headers.get(h)}`);
      output.textContent = [
        `${res.status} ${res.statusText}`,
        ...shown,
        "",
        pretty.slice(0, 20000),
      ].join("\n");
      for (const [p, input] of inputs)
        if (p.name === "Idempotency-Key") input.value = crypto.randomUUID();
    } catch (error) {
      output.textContent = `The request failed: ${error}`;
    }
  };

  if (path.endsWith("/live")) {
    return el(
      "p",
      {},
      "WebSocket endpoint: connect with a WebSocket client (the seat-map page does).",
    );
  }
  return el(
    "form",
    {
      class: "try",
      onsubmit: (event) => {
        event.preventDefault();
        void send();
      },
    },
    el("h3", {}, "Try it"),
    fields,
    body ? [el("label", { for: bodyId }, "Body (JSON)"), body] : null,
    el("p", {}, el("button", { type: "submit" }, "Send")),
    output,
  );
}

function operationView(doc, path, method, operation) {
  const parameters = (operation.parameters ?? []).map((p) => resolve(doc, p));
  const requestSchema = resolve(doc, operation.requestBody?.content?.["application/json"]?.schema);
  const anchor = operation.operationId;
  return el(
    "details",
    { class: "op", id: anchor },
    el(
      "summary",
      {},
      el("span", { class: `method ${method}` }, method),
      el("span", { class: "path" }, path),
      el("span", { class: "summary" }, operation.summary ?? ""),
      operation.security?.length
        ? el("span", { class: "lock", title: "Needs a bearer token" }, "token")
        : null,
    ),
    el(
      "div",
      { class: "body" },
      (operation.description ?? "").split("\n\n").map((para) => el("p", {}, para)),
      parameters.length ? el("h3", {}, "Parameters") : null,
      parameterTable(parameters),
      requestSchema
        ? [el("h3", {}, "Request body"), el("pre", {}, JSON.stringify(requestSchema, null, 2))]
        : null,
      el("h3", {}, "Responses"),
      el(
        "table",
        {},
        el(
          "tbody",
          {},
          Object.entries(operation.responses).map(([status, response]) =>
            el(
              "tr",
              {},
              el("td", {}, el("code", {}, status)),
              el("td", {}, resolve(doc, response)?.description ?? ""),
            ),
          ),
        ),
      ),
      tryIt(doc, path, method, operation, parameters),
    ),
  );
}

async function main() {
  const main = document.getElementById("operations");
  const toc = document.getElementById("toc");
  let doc;
  try {
    const res = await fetch("/v1/openapi.json");
    doc = await res.json();
  } catch (error) {
    document.getElementById("loading").textContent = `Could not load the API description: ${error}`;
    return;
  }
  document.getElementById("loading").remove();
  main.append(el("p", {}, doc.info.description ?? ""));
  for (const tag of doc.tags ?? []) {
    const operations = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        if (operation.tags?.includes(tag.name)) operations.push([path, method, operation]);
      }
    }
    if (operations.length === 0) continue;
    main.append(el("h2", { id: `tag-${tag.name}` }, tag.name), el("p", {}, tag.description ?? ""));
    toc.append(
      el("h2", {}, tag.name),
      el(
        "ul",
        {},
        operations.map(([path, method, operation]) =>
          el(
            "li",
            {},
            el("a", { href: `#${operation.operationId}` }, `${method.toUpperCase()} ${path}`),
          ),
        ),
      ),
    );
    for (const [path, method, operation] of operations)
      main.append(operationView(doc, path, method, operation));
  }
  // Opening a link in the table of contents opens its endpoint.
  const open = () => {
    const target = document.getElementById(location.hash.slice(1));
    if (target instanceof HTMLDetailsElement) target.open = true;
  };
  window.addEventListener("hashchange", open);
  open();
}

void main();
